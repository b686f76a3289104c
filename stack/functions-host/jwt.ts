import type { TokenVerifier } from '../auth/verify.ts';

/**
 * The `verify_jwt` gate of the functions host, like Supabase's relay: the bearer token must pass the stack's token
 * rules (stack/auth/verify.ts: a user token or a legacy API key JWT; a `sb_` key is not a JWT and is refused, as
 * the relay refuses it), otherwise 401 before the function runs. Verified tokens are remembered until they expire,
 * so a client polling a function pays one signature check per token, not per request.
 */
export class JwtGate {
  readonly #verifier: TokenVerifier;
  readonly #verified = new Map<string, number>(); // token → exp (seconds)
  static readonly MAX_CACHED = 10_000;

  constructor(verifier: TokenVerifier) {
    this.#verifier = verifier;
  }

  /** Undefined when the header carries a valid token, else the reason. */
  async check(authorization: string | undefined, now = Math.floor(Date.now() / 1000)): Promise<{ code: string; message: string } | undefined> {
    if (authorization === undefined || authorization === '') {
      return { code: 'missing_authorization', message: 'missing Authorization header' };
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match || match[1]!.startsWith('sb_')) {
      return { code: 'invalid_authorization', message: 'the Authorization header must be "Bearer <jwt>"' };
    }
    const token = match[1]!;
    const exp = this.#verified.get(token);
    if (exp !== undefined) {
      if (exp > now) return undefined;
      this.#verified.delete(token);
    }
    const verified = await this.#verifier.verify(token, now);
    if (!verified.ok) {
      return verified.failure === 'expired'
        ? { code: 'token_expired', message: verified.message }
        : { code: 'invalid_jwt', message: `invalid JWT: ${verified.message}` };
    }
    if (this.#verified.size >= JwtGate.MAX_CACHED) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(token, verified.claims.exp);
    return undefined;
  }
}
