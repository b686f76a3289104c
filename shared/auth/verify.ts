// The one token rule set, for the functions (Deno) and the local stack (Node: the realtime gateway, the functions
// host's `verify_jwt` gate, the local auth). Web-standard only (jose, WebCrypto), so both runtimes run this file;
// tests/fixtures/token-cases.json is the table both run it against.
//
//   - `sb_publishable_…` / `sb_secret_…` API keys are not JWTs: the configured keys are roles anon / service_role.
//   - ES256 / RS256 tokens are verified through the JWKS (the project's `/auth/v1/.well-known/jwks.json`, or the
//     local auth's signing keys); HS256 only with the legacy JWT secret, when one is configured. Any other
//     algorithm (HS384, HS512, none, …) is refused.
//   - `exp` is required and strict; `nbf` and `iat` may be up to CLOCK_LEEWAY_SECONDS in the future (clock skew
//     between the signer and us), no more.
//   - `role` is one of anon, authenticated, service_role; `sub`, when present, is a UUID (auth.uid() casts it),
//     and a user token (role authenticated) must have one.
//
// Signature first, claims second, so an unsigned token never reveals whether it would have expired. Failure
// messages for the cases Realtime knows are Realtime's own words (apps match on them).
import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose'

export const ASYMMETRIC_ALGORITHMS = ['ES256', 'RS256'] as const
export const LEGACY_ALGORITHM = 'HS256'
export const CLOCK_LEEWAY_SECONDS = 30
export const TOKEN_ROLES = ['anon', 'authenticated', 'service_role'] as const
/** The database roles a token may act as; anything else in `role` is refused. */
export type TokenRole = (typeof TOKEN_ROLES)[number]

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PUBLISHABLE_PREFIX = 'sb_publishable_'
const SECRET_PREFIX = 'sb_secret_'

export interface Claims {
  readonly role: TokenRole
  readonly exp: number
  readonly sub?: string
  readonly [claim: string]: unknown
}

export type TokenFailure = 'malformed' | 'signature' | 'signer' | 'expired' | 'claims'

export type TokenResult =
  | { readonly ok: true; readonly claims: Claims }
  | { readonly ok: false; readonly failure: TokenFailure; readonly message: string }

/** What verifies a token: the rules (TokenVerifier) or the rules behind the cache (VerifiedTokenCache). */
export interface Verifier {
  verify(token: string, nowSeconds?: number): Promise<TokenResult>
}

export function expiredMessage(secondsAgo: number): string {
  return `Token has expired ${secondsAgo} seconds ago`
}

const MESSAGE = {
  malformed: 'The token provided is not a valid JWT',
  signature: 'Failed to validate JWT signature',
  signer: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration',
  apiKey: 'Invalid API key',
  required: 'Fields `role` and `exp` are required in JWT',
} as const

/** Where the keys come from. */
export interface TokenKeys {
  /** The signing keys' public JWKS (ES256/RS256), or a jose key resolver (createRemoteJWKSet). */
  readonly jwks?: JSONWebKeySet | JWTVerifyGetKey
  /** The legacy HS256 JWT secret; without it HS256 tokens are refused. */
  readonly jwtSecret?: string
  /** The new-format API keys (`sb_publishable_…`, `sb_secret_…`) that are valid here. */
  readonly publishableKeys?: readonly string[]
  readonly secretKeys?: readonly string[]
}

/** The signing keys (a remote JWKS) could not be loaded: not the caller's fault, and worth a retry. */
export class KeysUnavailable extends Error {
  override readonly name = 'KeysUnavailable'
}

/** An `sb_publishable_` or `sb_secret_` key (not a JWT; Realtime and supabase-js tell them apart by prefix). */
export function isApiKey(token: string): boolean {
  return token.startsWith(PUBLISHABLE_PREFIX) || token.startsWith(SECRET_PREFIX)
}

/** The current time as JWT claims count it. */
export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

// API keys do not expire; a finite `exp` keeps every consumer's `exp` arithmetic (timers, JSON) working.
const API_KEY_EXP = Number.MAX_SAFE_INTEGER

export class TokenVerifier implements Verifier {
  readonly #jwks: JWTVerifyGetKey | undefined
  // Imported once: raw bytes handed to jose would be imported again on every verification.
  readonly #secret: Promise<CryptoKey> | undefined
  readonly #apiKeys: Promise<ReadonlyMap<string, TokenRole>>

  constructor(keys: TokenKeys) {
    this.#jwks = typeof keys.jwks === 'function'
      ? keys.jwks
      : keys.jwks
      ? createLocalJWKSet(keys.jwks)
      : undefined
    this.#secret = keys.jwtSecret
      ? crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(keys.jwtSecret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      )
      : undefined
    this.#apiKeys = digestApiKeys(keys)
  }

  async verify(token: string, nowSeconds: number = epochSeconds()): Promise<TokenResult> {
    // Realtime strips whitespace before parsing (ChannelsAuthorization.clean_token).
    const compact = token.replace(/\s/g, '')
    if (isApiKey(compact)) return this.#apiKey(compact)
    let alg: unknown
    try {
      alg = decodeProtectedHeader(compact).alg
    } catch {
      return failure('malformed', MESSAGE.malformed)
    }
    const key = alg === LEGACY_ALGORITHM ? await this.#secret : isAsymmetric(alg) ? this.#jwks : undefined
    if (key === undefined) return failure('signer', MESSAGE.signer)
    const options = { algorithms: [alg as string] }
    let payload: Uint8Array
    try {
      // two calls only because jose's overloads tell a key resolver from a key
      ;({ payload } = typeof key === 'function'
        ? await compactVerify(compact, key, options)
        : await compactVerify(compact, key, options))
    } catch (error) {
      return classify(error)
    }
    const claims = parseClaims(payload)
    return claims ? checkClaims(claims, nowSeconds) : failure('malformed', MESSAGE.malformed)
  }

  async #apiKey(key: string): Promise<TokenResult> {
    // looked up by digest: the time taken says nothing about the configured keys
    const hash = await digest(key)
    const role = (await this.#apiKeys).get(hash)
    return role
      ? { ok: true, claims: { role, exp: API_KEY_EXP, iss: 'api_key' } }
      : failure('signature', MESSAGE.apiKey)
  }
}

/** The claim rules, after the signature has been verified. */
export function checkClaims(claims: Record<string, unknown>, nowSeconds: number): TokenResult {
  const { role, exp, nbf, iat, sub } = claims
  if (typeof role !== 'string' || typeof exp !== 'number') return failure('claims', MESSAGE.required)
  if (exp <= nowSeconds) return failure('expired', expiredMessage(nowSeconds - exp))
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + CLOCK_LEEWAY_SECONDS)) {
    return failure('claims', 'The token is not valid yet (`nbf` is in the future)')
  }
  if (iat !== undefined && (typeof iat !== 'number' || iat > nowSeconds + CLOCK_LEEWAY_SECONDS)) {
    return failure('claims', 'The token was issued in the future (`iat`)')
  }
  if (!(TOKEN_ROLES as readonly string[]).includes(role)) {
    return failure('claims', `The token's role "${role}" is not allowed (only ${TOKEN_ROLES.join(', ')})`)
  }
  if (sub !== undefined && sub !== '' && (typeof sub !== 'string' || !UUID.test(sub))) {
    return failure('claims', "The token's `sub` is not a user id (a UUID)")
  }
  if (role === 'authenticated' && (typeof sub !== 'string' || sub === '')) {
    return failure('claims', 'A user token (role authenticated) needs a `sub`')
  }
  return { ok: true, claims: claims as unknown as Claims }
}

function isAsymmetric(alg: unknown): boolean {
  return (ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(alg)
}

function failure(failure: TokenFailure, message: string): TokenResult {
  return { ok: false, failure, message }
}

/** A verification error as the caller's fault (a failure), or KeysUnavailable when the keys did not load. */
function classify(error: unknown): TokenResult {
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return failure('signature', MESSAGE.signature)
  }
  // A key that cannot verify the token's algorithm is Realtime's "unable to generate signer".
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return failure('signer', MESSAGE.signer)
  }
  if (error instanceof errors.JWSInvalid) return failure('malformed', MESSAGE.malformed)
  // A remote JWKS that timed out, was unreachable or not a key set. A local one always loads.
  throw new KeysUnavailable('the signing keys (JWKS) could not be loaded', { cause: error })
}

function parseClaims(payload: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(payload))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

async function digestApiKeys(keys: TokenKeys): Promise<ReadonlyMap<string, TokenRole>> {
  const roles = new Map<string, TokenRole>()
  for (const key of keys.publishableKeys ?? []) roles.set(await digest(key), 'anon')
  for (const key of keys.secretKeys ?? []) roles.set(await digest(key), 'service_role')
  return roles
}

async function digest(value: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
