// The one cache of verified tokens, so a client polling a function (or revalidating a snapshot many times a
// second) costs one signature check per token, not one per request. `exp` is still checked on every use, and a
// token's claims are the same object on every hit (callers may key per-caller work on them).
import { epochSeconds, type TokenResult, type Verifier } from './verify.ts'

export class VerifiedTokenCache implements Verifier {
  static readonly MAX_TOKENS = 10_000
  readonly #verifier: Verifier
  readonly #verified = new Map<string, Extract<TokenResult, { ok: true }>>()

  constructor(verifier: Verifier) {
    this.#verifier = verifier
  }

  async verify(token: string, nowSeconds: number = epochSeconds()): Promise<TokenResult> {
    const cached = this.#verified.get(token)
    if (cached !== undefined) {
      if (cached.claims.exp > nowSeconds) return cached
      this.#verified.delete(token)
    }
    const result = await this.#verifier.verify(token, nowSeconds)
    if (!result.ok) return result
    // the oldest entry makes room: a flood of new tokens costs their own checks, never the cache's memory
    if (this.#verified.size >= VerifiedTokenCache.MAX_TOKENS) {
      this.#verified.delete(this.#verified.keys().next().value!)
    }
    this.#verified.set(token, result)
    return result
  }
}
