import { envName, loadAuthRateLimits } from '../auth/rate-limit.ts'
import { repoRoot } from '../config.ts'
import { DEFAULT_OPTIONS, ENV } from '../gateway/options.ts'

/**
 * The stack's limits by the variable that sets each, with its default: the gateway's (PLATER_REALTIME_*) and the
 * auth sign-in budget (PLATER_AUTH_RATE_LIMIT_*, default from supabase/config.toml). A load generator is one
 * machine standing for many devices and people, so it raises some of them by name on the stacks it starts.
 */
export const GATEWAY_LIMIT_ENV = ENV
export const GATEWAY_LIMIT_DEFAULTS = DEFAULT_OPTIONS
export const SIGN_IN_LIMIT_ENV = envName('sign_in_sign_ups')

export function signInLimitDefault(): number {
  return loadAuthRateLimits(repoRoot, {}).sign_in_sign_ups
}
