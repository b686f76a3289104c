// Who is calling: the bearer JWT, verified here (the platform's verify_jwt only gates the door; roles and
// subjects are read from the verified claims). HS256 with SUPABASE_JWT_SECRET (set by the local stack; on
// hosted Supabase set it as a secret named JWT_SECRET) or, without a secret, the project's JWKS
// (`<SUPABASE_URL>/auth/v1/.well-known/jwks.json`, asymmetric signing keys).
import { jose } from './deps.ts'
import { env } from './env.ts'
import { HttpError } from './errors.ts'

/** The database roles a token may act as; anything else in `role` is refused. */
export type CallerRole = 'anon' | 'authenticated' | 'service_role'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ROLES: ReadonlySet<string> = new Set(['anon', 'authenticated', 'service_role'])

export interface Caller {
  role: CallerRole
  /** The user id (`sub`), absent for the anon and service_role API keys. */
  sub?: string
  claims: jose.JWTPayload
}

type Verifier = (token: string) => Promise<jose.JWTPayload>

let verifier: Verifier | undefined

function createVerifier(): Verifier {
  const secret = env('SUPABASE_JWT_SECRET') ?? env('JWT_SECRET')
  if (secret !== undefined) {
    // Import the HMAC key once: passing raw bytes to jose would import it on every verification.
    const key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      [
        'verify',
      ],
    )
    return async (token) => (await jose.jwtVerify(token, await key, { algorithms: ['HS256'] })).payload
  }
  const url = env('SUPABASE_URL')
  if (url === undefined) {
    throw new Error('set SUPABASE_JWT_SECRET (or JWT_SECRET) or SUPABASE_URL to verify tokens')
  }
  const jwks = jose.createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', url))
  return async (token) => (await jose.jwtVerify(token, jwks)).payload
}

// Verified tokens, so a client revalidating a snapshot many times a second costs one HMAC, not one per request.
// Expiry is still checked on every use.
const verified = new Map<string, jose.JWTPayload>()
const callers = new WeakMap<jose.JWTPayload, Caller>()
const VERIFIED_CACHE_MAX = 10_000

export function bearerToken(req: Request): string {
  const header = req.headers.get('authorization')
  if (header === null) throw new HttpError(401, 'missing_authorization', 'missing Authorization header')
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) {
    throw new HttpError(401, 'invalid_authorization', 'the Authorization header must be "Bearer <jwt>"')
  }
  return match[1]!
}

export async function verifyToken(token: string): Promise<jose.JWTPayload> {
  const now = Math.floor(Date.now() / 1000)
  const cached = verified.get(token)
  if (cached && (cached.exp === undefined || cached.exp > now)) return cached
  if (cached) verified.delete(token)
  verifier ??= createVerifier()
  let claims: jose.JWTPayload
  try {
    claims = await verifier(token)
  } catch (error) {
    const expired = error instanceof jose.errors.JWTExpired
    throw new HttpError(
      401,
      expired ? 'token_expired' : 'invalid_jwt',
      expired ? 'the token has expired' : 'invalid JWT',
      undefined,
      {},
      { cause: error },
    )
  }
  if (verified.size >= VERIFIED_CACHE_MAX) verified.delete(verified.keys().next().value!)
  verified.set(token, claims)
  return claims
}

/**
 * The verified caller of `req`; 401 JSON when the token is missing or invalid. The same token gives the same
 * (frozen) Caller object, so per-caller work can be cached against it.
 */
export async function authenticate(req: Request): Promise<Caller> {
  const claims = await verifyToken(bearerToken(req))
  const known = callers.get(claims)
  if (known !== undefined) return known
  const role = typeof claims.role === 'string' ? claims.role : ''
  if (!ROLES.has(role)) throw new HttpError(401, 'invalid_jwt', `tokens with role "${role}" are not accepted`)
  const sub = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined
  // auth.uid() casts `sub` to uuid; a token with another subject could never match a staff row
  if (sub !== undefined && !UUID.test(sub)) {
    throw new HttpError(401, 'invalid_jwt', 'the token subject is not a user id')
  }
  const caller: Caller = Object.freeze({ role: role as CallerRole, sub, claims })
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
