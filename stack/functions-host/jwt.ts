import type { Verifier } from '../../shared/auth/verify.ts'
import { VerifiedTokenCache } from '../../shared/auth/verified-cache.ts'
import { invalidAuthorization, requireBearer } from '../../shared/http/bearer.ts'
import { HttpError } from '../api/respond.ts'

/**
 * The `verify_jwt` gate of the functions host, like Supabase's relay: the bearer token must pass the token rules
 * (shared/auth/verify.ts: a user token or a legacy API key JWT; a `sb_` key is not a JWT and is refused, as
 * the relay refuses it), otherwise 401 before the function runs. Verified tokens are cached until they expire
 * (shared/auth/verified-cache.ts), so a client polling a function pays one signature check per token.
 */
export class JwtGate {
  readonly #verifier: VerifiedTokenCache

  constructor(verifier: Verifier) {
    this.#verifier = new VerifiedTokenCache(verifier)
  }

  /** Resolves when the header carries a valid token, else rejects with the 401 to answer. */
  async check(authorization: string | undefined, now?: number): Promise<void> {
    const token = requireBearer(authorization || undefined) // an empty header is a missing one
    if (token.startsWith('sb_')) throw invalidAuthorization()
    const verified = await this.#verifier.verify(token, now)
    if (verified.ok) return
    throw verified.failure === 'expired'
      ? new HttpError(401, 'token_expired', verified.message)
      : new HttpError(401, 'invalid_jwt', `invalid JWT: ${verified.message}`)
  }
}
