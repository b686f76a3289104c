/**
 * Rate limits. Joins are counted like Realtime's rate counter: the average over a 5 s window of one-second
 * buckets, so a short burst (a screen opening ten channels) passes. Realtime has one join budget per tenant,
 * which a few anonymous sockets can spend for everybody; here a join must fit three budgets instead —
 * its socket's, its caller's, and its pool's — and the anonymous and signed-in pools are separate, so a
 * flood of anonymous joins cannot starve signed-in staff.
 */
export class JoinRateWindow {
  static readonly SECONDS = 5;
  readonly #limit: number;
  readonly #buckets = new Array<number>(JoinRateWindow.SECONDS).fill(0);
  #second = 0;

  constructor(perSecond: number) {
    this.#limit = perSecond * JoinRateWindow.SECONDS;
  }

  /** Whether one more join fits the window ending now. */
  allows(nowMs: number): boolean {
    this.#advance(nowMs);
    return this.#total() < this.#limit;
  }

  count(nowMs: number): void {
    this.#advance(nowMs);
    this.#buckets[this.#second % JoinRateWindow.SECONDS]!++;
  }

  /** Counts the join if it fits; says whether it did. */
  tryJoin(nowMs: number): boolean {
    if (!this.allows(nowMs)) return false;
    this.count(nowMs);
    return true;
  }

  /** Nothing counted in the window ending now. */
  idle(nowMs: number): boolean {
    this.#advance(nowMs);
    return this.#total() === 0;
  }

  #total(): number {
    return this.#buckets.reduce((sum, count) => sum + count, 0);
  }

  #advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const elapsed = Math.min(second - this.#second, JoinRateWindow.SECONDS);
    for (let s = 1; s <= elapsed; s++) this.#buckets[(this.#second + s) % JoinRateWindow.SECONDS] = 0;
    if (second > this.#second) this.#second = second;
  }
}

/** Who is joining, for the join budgets: the JWT `sub`, else the remote address. */
export interface JoinCaller {
  readonly key: string;
  /** A verified token other than anon (and not a Supabase anonymous user): the signed-in pool. */
  readonly signedIn: boolean;
}

/** The budget a refused join would have overrun; also the metric it is counted under. */
export type JoinLimit = 'socket' | 'caller' | 'anonymous' | 'signedIn';

/** The gateway-wide join budgets: one per caller, and the two pools. The socket's own is `JoinRateWindow`. */
export class JoinLimits {
  readonly #perCaller: number;
  readonly #callers = new Map<string, JoinRateWindow>();
  readonly #anonymous: JoinRateWindow;
  readonly #signedIn: JoinRateWindow;
  #forgottenAt = 0;

  constructor(limits: { readonly maxJoinsPerCaller: number; readonly maxJoinsPerSecond: number }) {
    this.#perCaller = limits.maxJoinsPerCaller;
    this.#anonymous = new JoinRateWindow(limits.maxJoinsPerSecond);
    this.#signedIn = new JoinRateWindow(limits.maxJoinsPerSecond);
  }

  /** Counts the join against the caller and its pool, or names the budget it does not fit (counting nothing). */
  admit(caller: JoinCaller, nowMs: number): JoinLimit | null {
    this.#forgetIdle(nowMs);
    let own = this.#callers.get(caller.key);
    if (!own) this.#callers.set(caller.key, (own = new JoinRateWindow(this.#perCaller)));
    const pool = caller.signedIn ? this.#signedIn : this.#anonymous;
    if (!own.allows(nowMs)) return 'caller';
    if (!pool.allows(nowMs)) return caller.signedIn ? 'signedIn' : 'anonymous';
    own.count(nowMs);
    pool.count(nowMs);
    return null;
  }

  /** Callers being tracked (a caller is forgotten one window after its last join). */
  get callers(): number {
    return this.#callers.size;
  }

  // Once per window, so the map holds only callers seen in the last two windows.
  #forgetIdle(nowMs: number): void {
    if (nowMs - this.#forgottenAt < JoinRateWindow.SECONDS * 1000) return;
    this.#forgottenAt = nowMs;
    for (const [key, window] of this.#callers) if (window.idle(nowMs)) this.#callers.delete(key);
  }
}

/**
 * Presence calls per channel: CLIENT_PRESENCE_MAX_CALLS within a window that opens at the first call
 * (RealtimeChannel's presence_client_rate_limit: counter + reset_at).
 */
export class PresenceCallLimiter {
  #count = 0;
  #resetAt = 0;

  tryCall(maxCalls: number, windowMs: number, nowMs: number): boolean {
    if (nowMs >= this.#resetAt) {
      this.#count = 0;
      this.#resetAt = nowMs + windowMs;
    }
    this.#count++;
    return this.#count <= maxCalls;
  }
}
