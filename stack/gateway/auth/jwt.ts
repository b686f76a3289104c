import { compactVerify, errors } from 'jose';

/**
 * JWT checks as Realtime does them (RealtimeWeb.JwtVerification + ChannelsAuthorization.authorize_conn):
 * HS256/384/512 with the project's secret, `exp` in the future, and `role` + `exp` present.
 * Signature first, claims second, so an unsigned token never reveals whether it would have expired.
 */

export interface Claims {
  readonly role: string;
  readonly exp: number;
  readonly sub?: string;
  readonly [claim: string]: unknown;
}

export type JwtFailure = 'malformed' | 'signature' | 'signer' | 'expired' | 'claims';

export type JwtResult =
  | { readonly ok: true; readonly claims: Claims }
  | { readonly ok: false; readonly failure: JwtFailure; readonly message: string };

const HS_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

const MESSAGE: Record<Exclude<JwtFailure, 'expired'>, string> = {
  malformed: 'The token provided is not a valid JWT',
  signature: 'Failed to validate JWT signature',
  signer: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration',
  claims: 'Fields `role` and `exp` are required in JWT',
};

export function expiredMessage(secondsAgo: number): string {
  return `Token has expired ${secondsAgo} seconds ago`;
}

export class JwtVerifier {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  async verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<JwtResult> {
    // Realtime strips whitespace before parsing (ChannelsAuthorization.clean_token).
    const compact = token.replace(/\s/g, '');
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(compact, this.#key, { algorithms: HS_ALGORITHMS }));
    } catch (error) {
      return failure(classify(error));
    }
    const claims = parseClaims(payload);
    if (!claims) return failure('malformed');
    if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') return failure('claims');
    if (claims.exp <= nowSeconds) {
      return { ok: false, failure: 'expired', message: expiredMessage(nowSeconds - claims.exp) };
    }
    return { ok: true, claims: claims as Claims };
  }
}

function failure(kind: Exclude<JwtFailure, 'expired'>): JwtResult {
  return { ok: false, failure: kind, message: MESSAGE[kind] };
}

function classify(error: unknown): Exclude<JwtFailure, 'expired'> {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  // An algorithm the secret cannot verify (RS256, none, …) is Realtime's "unable to generate signer".
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'signer';
  return 'malformed';
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
