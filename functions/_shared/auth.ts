// Who is calling, verified here (on hosted Supabase with the new keys `verify_jwt` is off and the function
// verifies, as Supabase's Edge Functions auth guide says), with the one token rule set the local stack uses too
// (shared/auth/verify.ts): user tokens through the project's JWKS, `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`;
// HS256 only with the legacy secret JWT_SECRET, when it is set; `sb_publishable_…` / `sb_secret_…` API keys (in
// `Authorization: Bearer` or `apikey`) as roles anon / service_role when they are one of
// SUPABASE_PUBLISHABLE_KEYS / SUPABASE_SECRET_KEYS.
import {
  type Claims,
  isApiKey,
  KeysUnavailable,
  type TokenRole,
  TokenVerifier,
} from '@plater/shared/auth/verify.ts'
import { VerifiedTokenCache } from '@plater/shared/auth/verified-cache.ts'
import { requireBearer } from '@plater/shared/http/bearer.ts'
import { jose } from './deps.ts'
import { env } from './env.ts'
import { HttpError } from './errors.ts'

export interface Caller {
  role: TokenRole
  /** The user id (`sub`), absent for API keys. */
  sub?: string
  claims: Claims
}

/** `{"default": "sb_…"}` (SUPABASE_PUBLISHABLE_KEYS / SUPABASE_SECRET_KEYS) plus the singular variable. */
function keysFromEnv(plural: string, singular: string): string[] {
  const keys: string[] = []
  const dictionary = env(plural)
  if (dictionary !== undefined) {
    const parsed: unknown = JSON.parse(dictionary)
    if (typeof parsed !== 'object' || parsed === null) {
      throw new Error(`${plural} must be a JSON object of keys`)
    }
    keys.push(...Object.values(parsed).filter((value): value is string => typeof value === 'string'))
  }
  const single = env(singular)
  if (single !== undefined) keys.push(single)
  return keys
}

/**
 * The verifier of the deployed function, everything from the environment, behind the verified-token cache: a
 * client revalidating a snapshot many times a second costs one signature check, not one per request.
 */
function verifierFromEnv(): VerifiedTokenCache {
  const url = env('SUPABASE_URL')
  return new VerifiedTokenCache(
    new TokenVerifier({
      jwks: url === undefined
        ? undefined
        : jose.createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', url)),
      jwtSecret: env('JWT_SECRET'),
      publishableKeys: keysFromEnv('SUPABASE_PUBLISHABLE_KEYS', 'SUPABASE_PUBLISHABLE_KEY'),
      secretKeys: keysFromEnv('SUPABASE_SECRET_KEYS', 'SUPABASE_SECRET_KEY'),
    }),
  )
}

let verifier: VerifiedTokenCache | undefined
const callers = new WeakMap<Claims, Caller>()

/**
 * The credential of `req`: the bearer token, or, when it is absent or a new-format API key (supabase-js sends
 * `Bearer <publishable key>` without a session), that key or the `apikey` header's.
 */
export function bearerToken(req: Request): string {
  const header = req.headers.get('authorization')
  const apikey = req.headers.get('apikey')
  if (header === null && apikey !== null && isApiKey(apikey)) return apikey
  return requireBearer(header)
}

/** The verified claims of `token` (a JWT or an API key); 401 when it breaks a rule, 503 without the JWKS. */
export async function verifyToken(token: string, nowSeconds?: number): Promise<Claims> {
  verifier ??= verifierFromEnv()
  let result
  try {
    result = await verifier.verify(token, nowSeconds)
  } catch (error) {
    if (!(error instanceof KeysUnavailable)) throw error
    throw new HttpError(503, 'auth_unavailable', error.message, undefined, { 'retry-after': '1' }, {
      cause: error,
    })
  }
  if (!result.ok) {
    const expired = result.failure === 'expired'
    throw new HttpError(401, expired ? 'token_expired' : 'invalid_jwt', result.message)
  }
  return result.claims
}

/**
 * The verified caller of `req`; 401 JSON when the credential is missing or invalid. The same token gives the same
 * (frozen) Caller object, so per-caller work can be cached against it.
 */
export async function authenticate(req: Request): Promise<Caller> {
  const claims = await verifyToken(bearerToken(req))
  const known = callers.get(claims)
  if (known !== undefined) return known
  const sub = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined
  const caller: Caller = Object.freeze({ role: claims.role, sub, claims })
  callers.set(claims, caller)
  return caller
}

/** A signed-in user (not an API key): mutations act as a staff member. */
export function requireUser(caller: Caller): Caller & { sub: string } {
  if (caller.role !== 'authenticated' || caller.sub === undefined) {
    throw new HttpError(
      401,
      'user_token_required',
      'sign in as a staff member: this needs a user access token',
    )
  }
  return caller as Caller & { sub: string }
}

/** For tests: forget the verifier and its cache (e.g. after changing the secret). */
export function resetAuthForTests(): void {
  verifier = undefined
}
