/**
 * Rate limits with Realtime's semantics.
 *
 * Joins: TENANT_MAX_JOINS_PER_SECOND is checked against the average over Realtime's 5 s rate-counter
 * window, for the whole gateway (one tenant here), so short bursts (a page opening ten channels) pass.
 */
export class JoinRateLimiter {
  static readonly WINDOW_SECONDS = 5;
  readonly #perSecond: number;
  readonly #buckets = new Array<number>(JoinRateLimiter.WINDOW_SECONDS).fill(0);
  #bucketSecond = 0;

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
  }

  /** Counts the join and says whether it is allowed. */
  tryJoin(nowMs = Date.now()): boolean {
    const second = Math.floor(nowMs / 1000);
    this.#advance(second);
    const total = this.#buckets.reduce((sum, count) => sum + count, 0);
    if (total >= this.#perSecond * JoinRateLimiter.WINDOW_SECONDS) return false;
    this.#buckets[second % JoinRateLimiter.WINDOW_SECONDS]!++;
    return true;
  }

  #advance(second: number): void {
    const elapsed = Math.min(second - this.#bucketSecond, JoinRateLimiter.WINDOW_SECONDS);
    for (let s = 1; s <= elapsed; s++) this.#buckets[(this.#bucketSecond + s) % JoinRateLimiter.WINDOW_SECONDS] = 0;
    if (second > this.#bucketSecond) this.#bucketSecond = second;
  }
}

/**
 * Presence calls per channel: CLIENT_PRESENCE_MAX_CALLS within a window that opens at the first call
 * (RealtimeChannel's presence_client_rate_limit: counter + reset_at).
 */
export class PresenceCallLimiter {
  #count = 0;
  #resetAt = 0;

  tryCall(maxCalls: number, windowMs: number, nowMs = Date.now()): boolean {
    if (nowMs >= this.#resetAt) {
      this.#count = 0;
      this.#resetAt = nowMs + windowMs;
    }
    this.#count++;
    return this.#count <= maxCalls;
  }
}
