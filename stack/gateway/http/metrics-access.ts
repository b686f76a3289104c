import type { IncomingMessage } from 'node:http'
import type { JwtVerifier } from '../auth/jwt.ts'
import type { Clock } from '../../../shared/clock.ts'
import { requestToken } from './credentials.ts'

/**
 * `GET /metrics` is for operators: it needs the secret key (`sb_secret_…` or the service_role JWT). Its counts
 * name no topic or token, but they tell anyone watching how busy each part of the stack is and whether a flood
 * is working.
 */
export class MetricsAccess {
  readonly #verifier: JwtVerifier
  readonly #clock: Clock

  constructor(verifier: JwtVerifier, clock: Clock) {
    this.#verifier = verifier
    this.#clock = clock
  }

  /** Null when the caller may read the metrics, else the status and message to answer. */
  async refusal(req: IncomingMessage, url: URL): Promise<{ status: 401 | 403; message: string } | null> {
    const token = requestToken(req, url)
    if (!token) {
      return { status: 401, message: 'The secret key is required (apikey header or Authorization: Bearer)' }
    }
    const verified = await this.#verifier.verify(token, Math.floor(this.#clock.now() / 1000))
    if (!verified.ok) return { status: 401, message: 'Unauthorized' }
    if (verified.claims.role !== 'service_role') {
      return { status: 403, message: 'The metrics need the secret key' }
    }
    return null
  }
}
