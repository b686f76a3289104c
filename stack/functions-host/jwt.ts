import { createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';

/**
 * The `verify_jwt` gate of the functions host, like Supabase's relay: the bearer token must be a JWT signed with
 * the project's secret (an API key or a user token), otherwise 401 before the function runs. Verified tokens are
 * remembered until they expire, so a client polling a function pays one HMAC per token, not per request.
 */
export class JwtGate {
  readonly #key: KeyObject;
  readonly #verified = new Map<string, number>(); // token → exp (seconds; Infinity without exp)
  static readonly MAX_CACHED = 10_000;

  constructor(jwtSecret: string) {
    this.#key = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
  }

  /** Undefined when the header carries a valid token, else the reason. */
  async check(authorization: string | undefined): Promise<{ code: string; message: string } | undefined> {
    if (authorization === undefined || authorization === '') {
      return { code: 'missing_authorization', message: 'missing Authorization header' };
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { code: 'invalid_authorization', message: 'the Authorization header must be "Bearer <jwt>"' };
    const token = match[1]!;
    const now = Date.now() / 1000;
    const exp = this.#verified.get(token);
    if (exp !== undefined) {
      if (exp > now) return undefined;
      this.#verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'] });
      if (this.#verified.size >= JwtGate.MAX_CACHED) this.#verified.delete(this.#verified.keys().next().value!);
      this.#verified.set(token, payload.exp ?? Number.POSITIVE_INFINITY);
      return undefined;
    } catch {
      return { code: 'invalid_jwt', message: 'invalid JWT' };
    }
  }
}
