import type { Verifier } from '../../shared/auth/verify.ts';
import { VerifiedTokenCache } from '../../shared/auth/verified-cache.ts';
import { bearerToken } from '../../shared/http/bearer.ts';

/**
 * The `verify_jwt` gate of the functions host, like Supabase's relay: the bearer token must pass the token rules
 * (shared/auth/verify.ts: a user token or a legacy API key JWT; a `sb_` key is not a JWT and is refused, as
 * the relay refuses it), otherwise 401 before the function runs. Verified tokens are cached until they expire
 * (shared/auth/verified-cache.ts), so a client polling a function pays one signature check per token.
 */
export class JwtGate {
  readonly #verifier: VerifiedTokenCache;

  constructor(verifier: Verifier) {
    this.#verifier = new VerifiedTokenCache(verifier);
  }

  /** Undefined when the header carries a valid token, else the reason. */
  async check(authorization: string | undefined, now?: number): Promise<{ code: string; message: string } | undefined> {
    if (authorization === undefined || authorization === '') {
      return { code: 'missing_authorization', message: 'missing Authorization header' };
    }
    const token = bearerToken(authorization);
    if (token === undefined || token.startsWith('sb_')) {
      return { code: 'invalid_authorization', message: 'the Authorization header must be "Bearer <jwt>"' };
    }
    const verified = await this.#verifier.verify(token, now);
    if (verified.ok) return undefined;
    return verified.failure === 'expired'
      ? { code: 'token_expired', message: verified.message }
      : { code: 'invalid_jwt', message: `invalid JWT: ${verified.message}` };
  }
}
