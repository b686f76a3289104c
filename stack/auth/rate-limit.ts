import { type Env, positiveInteger, readEnv } from '../../shared/env.ts'
import { readSupabaseConfig, supabaseConfigPath } from '../supabase-config.ts'

/**
 * The per-IP request budgets of the local auth, from supabase/config.toml `[auth.rate_limit]` — the same keys and
 * defaults Supabase Auth (GoTrue) enforces — each overridable by `PLATER_AUTH_RATE_LIMIT_<KEY>` (the test stack
 * raises them: its suites sign in hundreds of times from 127.0.0.1).
 */
export interface AuthRateLimits {
  /** Password sign-ins (and sign-ups, which the local auth does not offer) per IP per 5 minutes. */
  sign_in_sign_ups: number
  /** Refresh-token grants per IP per 5 minutes. */
  token_refresh: number
}

/** GoTrue's defaults, used for a key config.toml leaves out. */
const GOTRUE_DEFAULTS: AuthRateLimits = { sign_in_sign_ups: 30, token_refresh: 150 }

/** The interval every `[auth.rate_limit]` count above refers to. */
export const RATE_LIMIT_WINDOW_MS = 5 * 60 * 1000

export function envName(key: keyof AuthRateLimits): string {
  return `PLATER_AUTH_RATE_LIMIT_${key.toUpperCase()}`
}

export function loadAuthRateLimits(repoRoot: string, env: Env): AuthRateLimits {
  const parsed = readSupabaseConfig(repoRoot)
  const section = ((parsed.auth as Record<string, unknown> | undefined)?.rate_limit ?? {}) as Record<
    string,
    unknown
  >
  const limits = { ...GOTRUE_DEFAULTS }
  for (const key of Object.keys(limits) as (keyof AuthRateLimits)[]) {
    const value = readEnv(env, envName(key), positiveInteger) ?? section[key] ?? limits[key]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      const source = `${supabaseConfigPath(repoRoot)} [auth.rate_limit] ${key}`
      throw new Error(`${source} must be a whole number of requests ≥ 1 (got ${JSON.stringify(value)})`)
    }
    limits[key] = value
  }
  return limits
}

/** Either the request may go on, or it must wait `retryAfterSeconds`. */
export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/**
 * A token bucket per key (the caller's IP), as GoTrue's limiter: `limit` requests at once, then one more each
 * `windowMs / limit` — `limit` per window sustained. A refused request costs nothing. `now` is injectable so
 * tests move time instead of waiting.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  readonly #refillPerMs: number

  constructor(
    readonly limit: number,
    readonly windowMs: number = RATE_LIMIT_WINDOW_MS,
    private readonly now: () => number = Date.now,
    /** Keys tracked before full (idle) buckets are forgotten. */
    private readonly maxKeys = 10_000,
  ) {
    this.#refillPerMs = limit / windowMs
  }

  take(key: string): Admission {
    const now = this.now()
    const bucket = this.#buckets.get(key)
    const tokens = bucket
      ? Math.min(this.limit, bucket.tokens + (now - bucket.at) * this.#refillPerMs)
      : this.limit
    if (tokens < 1) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.#refillPerMs / 1000)),
      }
    }
    if (!bucket && this.#buckets.size >= this.maxKeys) this.#forgetFull(now)
    this.#buckets.set(key, { tokens: tokens - 1, at: now })
    return { allowed: true }
  }

  /** Buckets that have refilled carry no state worth keeping. */
  #forgetFull(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#refillPerMs >= this.limit) this.#buckets.delete(key)
    }
  }
}
