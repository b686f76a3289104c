import { createHash, timingSafeEqual } from 'node:crypto';
import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';

/**
 * The one token rule set of the Node side of the stack (the realtime gateway, the functions host's `verify_jwt`
 * gate and the local auth). functions/_shared/auth.ts applies the same rules in Deno; both are tested with the
 * same table of tokens (tests/fixtures/token-cases.json).
 *
 *   - `sb_publishable_…` / `sb_secret_…` API keys are not JWTs: the configured keys are roles anon / service_role.
 *   - ES256 / RS256 tokens are verified through the JWKS (the local auth's signing keys, as Supabase's
 *     `/auth/v1/.well-known/jwks.json`); HS256 only with the legacy JWT secret, when one is configured.
 *     Any other algorithm (HS384, HS512, none, …) is refused.
 *   - `exp` is required and strict; `nbf` and `iat` may be up to CLOCK_LEEWAY_SECONDS in the future (clock skew
 *     between the signer and us), no more.
 *   - `role` is one of anon, authenticated, service_role; `sub`, when present, is a UUID (auth.uid() casts it),
 *     and a user token (role authenticated) must have one.
 *
 * Signature first, claims second, so an unsigned token never reveals whether it would have expired.
 * Failure messages for the cases Realtime knows are Realtime's own words (apps match on them).
 */

export const ASYMMETRIC_ALGORITHMS = ['ES256', 'RS256'] as const;
export const LEGACY_ALGORITHM = 'HS256';
export const CLOCK_LEEWAY_SECONDS = 30;
export const TOKEN_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PUBLISHABLE_PREFIX = 'sb_publishable_';
const SECRET_PREFIX = 'sb_secret_';

export interface Claims {
  readonly role: TokenRole;
  readonly exp: number;
  readonly sub?: string;
  readonly [claim: string]: unknown;
}

export type TokenFailure = 'malformed' | 'signature' | 'signer' | 'expired' | 'claims';

export type TokenResult =
  | { readonly ok: true; readonly claims: Claims }
  | { readonly ok: false; readonly failure: TokenFailure; readonly message: string };

export function expiredMessage(secondsAgo: number): string {
  return `Token has expired ${secondsAgo} seconds ago`;
}

const MESSAGE = {
  malformed: 'The token provided is not a valid JWT',
  signature: 'Failed to validate JWT signature',
  signer: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration',
  apiKey: 'Invalid API key',
  required: 'Fields `role` and `exp` are required in JWT',
} as const;

/** Where the keys come from. */
export interface TokenKeys {
  /** The signing keys' public JWKS (ES256/RS256), or a jose key resolver (createRemoteJWKSet). */
  readonly jwks?: JSONWebKeySet | JWTVerifyGetKey;
  /** The legacy HS256 JWT secret; without it HS256 tokens are refused. */
  readonly jwtSecret?: string;
  /** The new-format API keys (`sb_publishable_…`, `sb_secret_…`) that are valid here. */
  readonly publishableKeys?: readonly string[];
  readonly secretKeys?: readonly string[];
}

/** An `sb_publishable_` or `sb_secret_` key (not a JWT; Realtime and supabase-js tell them apart by prefix). */
export function isApiKey(token: string): boolean {
  return token.startsWith(PUBLISHABLE_PREFIX) || token.startsWith(SECRET_PREFIX);
}

// API keys do not expire; a finite `exp` keeps every consumer's `exp` arithmetic (timers, JSON) working.
const API_KEY_EXP = Number.MAX_SAFE_INTEGER;

export class TokenVerifier {
  readonly #jwks: JWTVerifyGetKey | undefined;
  readonly #secret: Uint8Array | undefined;
  readonly #apiKeys: ReadonlyMap<string, TokenRole>;

  constructor(keys: TokenKeys) {
    this.#jwks = typeof keys.jwks === 'function' ? keys.jwks : keys.jwks ? createLocalJWKSet(keys.jwks) : undefined;
    this.#secret = keys.jwtSecret ? new TextEncoder().encode(keys.jwtSecret) : undefined;
    const apiKeys = new Map<string, TokenRole>();
    for (const key of keys.publishableKeys ?? []) apiKeys.set(digest(key), 'anon');
    for (const key of keys.secretKeys ?? []) apiKeys.set(digest(key), 'service_role');
    this.#apiKeys = apiKeys;
  }

  async verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<TokenResult> {
    // Realtime strips whitespace before parsing (ChannelsAuthorization.clean_token).
    const compact = token.replace(/\s/g, '');
    if (isApiKey(compact)) return this.#apiKey(compact);
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(compact).alg;
    } catch {
      return failure('malformed', MESSAGE.malformed);
    }
    const key = alg === LEGACY_ALGORITHM ? this.#secret : isAsymmetric(alg) ? this.#jwks : undefined;
    if (key === undefined) return failure('signer', MESSAGE.signer);
    const options = { algorithms: [alg as string] };
    let payload: Uint8Array;
    try {
      // two calls only because jose's overloads tell a key resolver from a key
      ({ payload } = typeof key === 'function' ? await compactVerify(compact, key, options) : await compactVerify(compact, key, options));
    } catch (error) {
      return classify(error);
    }
    const claims = parseClaims(payload);
    return claims ? checkClaims(claims, nowSeconds) : failure('malformed', MESSAGE.malformed);
  }

  #apiKey(key: string): TokenResult {
    const hash = digest(key);
    for (const [known, role] of this.#apiKeys) {
      if (timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(hash, 'hex'))) {
        return { ok: true, claims: { role, exp: API_KEY_EXP, iss: 'api_key' } };
      }
    }
    return failure('signature', MESSAGE.apiKey);
  }
}

/** The claim rules, after the signature has been verified. */
export function checkClaims(claims: Record<string, unknown>, nowSeconds: number): TokenResult {
  const { role, exp, nbf, iat, sub } = claims;
  if (typeof role !== 'string' || typeof exp !== 'number') return failure('claims', MESSAGE.required);
  if (exp <= nowSeconds) return failure('expired', expiredMessage(nowSeconds - exp));
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + CLOCK_LEEWAY_SECONDS)) {
    return failure('claims', 'The token is not valid yet (`nbf` is in the future)');
  }
  if (iat !== undefined && (typeof iat !== 'number' || iat > nowSeconds + CLOCK_LEEWAY_SECONDS)) {
    return failure('claims', 'The token was issued in the future (`iat`)');
  }
  if (!(TOKEN_ROLES as readonly string[]).includes(role)) {
    return failure('claims', `The token's role "${role}" is not allowed (only ${TOKEN_ROLES.join(', ')})`);
  }
  if (sub !== undefined && sub !== '' && (typeof sub !== 'string' || !UUID.test(sub))) {
    return failure('claims', 'The token\'s `sub` is not a user id (a UUID)');
  }
  if (role === 'authenticated' && (typeof sub !== 'string' || sub === '')) {
    return failure('claims', 'A user token (role authenticated) needs a `sub`');
  }
  return { ok: true, claims: claims as unknown as Claims };
}

function isAsymmetric(alg: unknown): boolean {
  return (ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(alg);
}

function failure(failure: TokenFailure, message: string): TokenResult {
  return { ok: false, failure, message };
}

function classify(error: unknown): TokenResult {
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return failure('signature', MESSAGE.signature);
  }
  // A key that cannot verify the token's algorithm is Realtime's "unable to generate signer".
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return failure('signer', MESSAGE.signer);
  }
  return failure('malformed', MESSAGE.malformed);
}

function parseClaims(payload: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(payload));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The stack's own key material, as StackConfig holds it (the JWKS, the legacy secret, the new API keys). */
export interface StackKeys {
  readonly jwtSecret: string;
  readonly jwks?: JSONWebKeySet;
  readonly publishableKey?: string;
  readonly secretKey?: string;
}

export function stackVerifier(keys: StackKeys): TokenVerifier {
  return new TokenVerifier({
    jwks: keys.jwks,
    jwtSecret: keys.jwtSecret,
    publishableKeys: keys.publishableKey ? [keys.publishableKey] : [],
    secretKeys: keys.secretKey ? [keys.secretKey] : [],
  });
}
