// Who is calling, verified here (on hosted Supabase with the new keys `verify_jwt` is off and the function
// verifies, as Supabase's Edge Functions auth guide says). The rule set is the stack's (stack/auth/verify.ts),
// tested with the same token table (tests/fixtures/token-cases.json):
//   - `sb_publishable_…` / `sb_secret_…` API keys (in `Authorization: Bearer` or `apikey`) are roles anon /
//     service_role when they are one of SUPABASE_PUBLISHABLE_KEYS / SUPABASE_SECRET_KEYS; they are not JWTs.
//   - ES256 / RS256 tokens verify through the project's JWKS, `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`;
//     HS256 only with the legacy secret JWT_SECRET, when it is set. Any other algorithm is refused.
//   - `exp` required and strict; `nbf` / `iat` at most CLOCK_LEEWAY_SECONDS in the future.
//   - role anon, authenticated or service_role; `sub`, when present, a UUID; a user token must have one.
import { jose } from './deps.ts'
import { env } from './env.ts'
import { HttpError } from './errors.ts'

export const ASYMMETRIC_ALGORITHMS = ['ES256', 'RS256'] as const
export const LEGACY_ALGORITHM = 'HS256'
export const CLOCK_LEEWAY_SECONDS = 30
export const TOKEN_ROLES = ['anon', 'authenticated', 'service_role'] as const

/** The database roles a token may act as; anything else in `role` is refused. */
export type CallerRole = (typeof TOKEN_ROLES)[number]
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface Caller {
  role: CallerRole
  /** The user id (`sub`), absent for API keys. */
  sub?: string
  claims: jose.JWTPayload
}

export type TokenFailure = 'malformed' | 'signature' | 'signer' | 'expired' | 'claims'
export type TokenResult =
  | { ok: true; claims: jose.JWTPayload & { role: CallerRole; exp: number } }
  | { ok: false; failure: TokenFailure; message: string }

export interface TokenKeys {
  /** The signing keys: a jose resolver (createRemoteJWKSet / createLocalJWKSet). */
  jwks?: jose.JWTVerifyGetKey
  /** The legacy HS256 secret; without it HS256 tokens are refused. */
  jwtSecret?: string
  publishableKeys?: readonly string[]
  secretKeys?: readonly string[]
}

/** The JWKS could not be fetched: not the caller's fault, and worth a retry. */
export class KeysUnavailable extends Error {}

export type TokenVerifier = (token: string, nowSeconds?: number) => Promise<TokenResult>

const isApiKey = (token: string) => token.startsWith('sb_publishable_') || token.startsWith('sb_secret_')
// API keys do not expire; a finite `exp` keeps the `exp` arithmetic of callers simple.
const API_KEY_EXP = Number.MAX_SAFE_INTEGER

const fail = (failure: TokenFailure, message: string): TokenResult => ({ ok: false, failure, message })

/** The claim rules, after the signature has been verified. */
export function checkClaims(claims: jose.JWTPayload, nowSeconds: number): TokenResult {
  const { role, exp, nbf, iat, sub } = claims
  if (typeof role !== 'string' || typeof exp !== 'number') {
    return fail('claims', 'Fields `role` and `exp` are required in JWT')
  }
  if (exp <= nowSeconds) return fail('expired', `Token has expired ${nowSeconds - exp} seconds ago`)
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + CLOCK_LEEWAY_SECONDS)) {
    return fail('claims', 'The token is not valid yet (`nbf` is in the future)')
  }
  if (iat !== undefined && (typeof iat !== 'number' || iat > nowSeconds + CLOCK_LEEWAY_SECONDS)) {
    return fail('claims', 'The token was issued in the future (`iat`)')
  }
  if (!(TOKEN_ROLES as readonly string[]).includes(role)) {
    return fail('claims', `The token's role "${role}" is not allowed (only ${TOKEN_ROLES.join(', ')})`)
  }
  if (sub !== undefined && sub !== '' && (typeof sub !== 'string' || !UUID.test(sub))) {
    return fail('claims', "The token's `sub` is not a user id (a UUID)")
  }
  if (role === 'authenticated' && (typeof sub !== 'string' || sub === '')) {
    return fail('claims', 'A user token (role authenticated) needs a `sub`')
  }
  return { ok: true, claims: claims as jose.JWTPayload & { role: CallerRole; exp: number } }
}

async function digest(value: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function createTokenVerifier(keys: TokenKeys): TokenVerifier {
  // Import the HMAC key once: passing raw bytes to jose would import it on every verification.
  const secret = keys.jwtSecret === undefined ? undefined : crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(keys.jwtSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  )
  const apiKeys = Promise.all([
    ...(keys.publishableKeys ?? []).map(async (key) => [await digest(key), 'anon'] as const),
    ...(keys.secretKeys ?? []).map(async (key) => [await digest(key), 'service_role'] as const),
  ])

  async function apiKey(key: string): Promise<TokenResult> {
    // compared as digests: equal length, and the time taken says nothing about the configured keys
    const hash = await digest(key)
    const match = (await apiKeys).find(([known]) => known === hash)
    return match
      ? { ok: true, claims: { role: match[1], exp: API_KEY_EXP, iss: 'api_key' } }
      : fail('signature', 'Invalid API key')
  }

  return async (token, nowSeconds = Math.floor(Date.now() / 1000)) => {
    const compact = token.replace(/\s/g, '')
    if (isApiKey(compact)) return apiKey(compact)
    let alg: unknown
    try {
      alg = jose.decodeProtectedHeader(compact).alg
    } catch {
      return fail('malformed', 'The token provided is not a valid JWT')
    }
    const asymmetric = (ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(alg)
    const key = alg === LEGACY_ALGORITHM ? await secret : asymmetric ? keys.jwks : undefined
    if (key === undefined) {
      return fail('signer', 'Failed to generate JWT signer, check your JWT secret or JWKS configuration')
    }
    const options = { algorithms: [alg as string] }
    let payload: Uint8Array
    try {
      // two calls only because jose's overloads tell a key resolver from a key
      ;({ payload } = typeof key === 'function'
        ? await jose.compactVerify(compact, key, options)
        : await jose.compactVerify(compact, key, options))
    } catch (error) {
      if (
        error instanceof jose.errors.JWSSignatureVerificationFailed ||
        error instanceof jose.errors.JWKSNoMatchingKey
      ) {
        return fail('signature', 'Failed to validate JWT signature')
      }
      if (error instanceof jose.errors.JOSEAlgNotAllowed || error instanceof jose.errors.JOSENotSupported) {
        return fail('signer', 'Failed to generate JWT signer, check your JWT secret or JWKS configuration')
      }
      if (error instanceof jose.errors.JWSInvalid) {
        return fail('malformed', 'The token provided is not a valid JWT')
      }
      // the JWKS did not load (timeout, network, bad document)
      throw new KeysUnavailable('the signing keys (JWKS) could not be loaded', { cause: error })
    }
    let claims: unknown
    try {
      claims = JSON.parse(new TextDecoder().decode(payload))
    } catch {
      return fail('malformed', 'The token provided is not a valid JWT')
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      return fail('malformed', 'The token provided is not a valid JWT')
    }
    return checkClaims(claims as jose.JWTPayload, nowSeconds)
  }
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

/** The verifier of the deployed function: everything from the environment. */
function verifierFromEnv(): TokenVerifier {
  const url = env('SUPABASE_URL')
  return createTokenVerifier({
    jwks: url === undefined
      ? undefined
      : jose.createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', url)),
    jwtSecret: env('JWT_SECRET'),
    publishableKeys: keysFromEnv('SUPABASE_PUBLISHABLE_KEYS', 'SUPABASE_PUBLISHABLE_KEY'),
    secretKeys: keysFromEnv('SUPABASE_SECRET_KEYS', 'SUPABASE_SECRET_KEY'),
  })
}

let verifier: TokenVerifier | undefined

// Verified tokens, so a client revalidating a snapshot many times a second costs one signature check, not one
// per request. Expiry is still checked on every use.
const verified = new Map<string, jose.JWTPayload & { exp: number }>()
const callers = new WeakMap<jose.JWTPayload, Caller>()
const VERIFIED_CACHE_MAX = 10_000

/**
 * The credential of `req`: the bearer token, or, when it is absent or a new-format API key (supabase-js sends
 * `Bearer <publishable key>` without a session), that key or the `apikey` header's.
 */
export function bearerToken(req: Request): string {
  const header = req.headers.get('authorization')
  const apikey = req.headers.get('apikey')
  if (header === null) {
    if (apikey !== null && isApiKey(apikey)) return apikey
    throw new HttpError(401, 'missing_authorization', 'missing Authorization header')
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) {
    throw new HttpError(401, 'invalid_authorization', 'the Authorization header must be "Bearer <jwt>"')
  }
  return match[1]!
}

/** The verified claims of `token` (a JWT or an API key); 401 when it breaks a rule, 503 without the JWKS. */
export async function verifyToken(
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<jose.JWTPayload> {
  const cached = verified.get(token)
  if (cached && cached.exp > nowSeconds) return cached
  if (cached) verified.delete(token)
  verifier ??= verifierFromEnv()
  let result: TokenResult
  try {
    result = await verifier(token, nowSeconds)
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
  if (verified.size >= VERIFIED_CACHE_MAX) verified.delete(verified.keys().next().value!)
  verified.set(token, result.claims)
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
  const caller: Caller = Object.freeze({ role: claims.role as CallerRole, sub, claims })
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

/** For tests: forget the verifier and the cache (e.g. after changing the secret). */
export function resetAuthForTests(): void {
  verifier = undefined
  verified.clear()
}
