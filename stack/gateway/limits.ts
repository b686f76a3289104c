/**
 * Rate limits. Joins and client broadcasts are counted like Realtime's rate counter: the average over a 5 s
 * window of one-second buckets, so a short burst (a screen opening ten channels) passes. Realtime has one budget
 * per tenant (project), which a few sockets can spend for everybody; here the tenant is the restaurant a topic
 * names (tenant.ts), and the flooder's own budgets — its socket's and its caller's — are spent first.
 */
export class RateWindow {
  static readonly SECONDS = 5
  readonly #limit: number
  readonly #buckets = new Array<number>(RateWindow.SECONDS).fill(0)
  #second = 0

  constructor(perSecond: number) {
    this.#limit = perSecond * RateWindow.SECONDS
  }

  /** Whether `n` more events fit the window ending now. */
  allows(nowMs: number, n = 1): boolean {
    this.#advance(nowMs)
    return this.#total() + n <= this.#limit
  }

  count(nowMs: number, n = 1): void {
    this.#advance(nowMs)
    this.#buckets[this.#second % RateWindow.SECONDS]! += n
  }

  /** Counts the events if they fit; says whether they did. */
  tryTake(nowMs: number, n = 1): boolean {
    if (!this.allows(nowMs, n)) return false
    this.count(nowMs, n)
    return true
  }

  /** Nothing counted in the window ending now. */
  idle(nowMs: number): boolean {
    this.#advance(nowMs)
    return this.#total() === 0
  }

  #total(): number {
    return this.#buckets.reduce((sum, count) => sum + count, 0)
  }

  #advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000)
    const elapsed = Math.min(second - this.#second, RateWindow.SECONDS)
    for (let s = 1; s <= elapsed; s++) this.#buckets[(this.#second + s) % RateWindow.SECONDS] = 0
    if (second > this.#second) this.#second = second
  }
}

/** One `RateWindow` per key (caller, restaurant), each forgotten a window after its last event. */
export class KeyedRateWindows {
  readonly #perSecond: number
  readonly #windows = new Map<string, RateWindow>()
  #forgottenAt = 0

  constructor(perSecond: number) {
    this.#perSecond = perSecond
  }

  get(key: string, nowMs: number): RateWindow {
    this.#forgetIdle(nowMs)
    let window = this.#windows.get(key)
    if (!window) this.#windows.set(key, window = new RateWindow(this.#perSecond))
    return window
  }

  /** Keys being tracked. */
  get size(): number {
    return this.#windows.size
  }

  // Once per window, so the map holds only keys seen in the last two windows.
  #forgetIdle(nowMs: number): void {
    if (nowMs - this.#forgottenAt < RateWindow.SECONDS * 1000) return
    this.#forgottenAt = nowMs
    for (const [key, window] of this.#windows) if (window.idle(nowMs)) this.#windows.delete(key)
  }
}

/** Who a caller is for its budgets: the verified JWT `sub`, else the remote address (anon and API keys). */
export function callerKey(sub: string | undefined, remoteAddress: string): string {
  return sub ? `sub:${sub}` : `address:${remoteAddress}`
}

/** The budget a refused join or broadcast would have overrun; also the metric it is counted under. */
export type RateLimit = 'socket' | 'caller' | 'tenant'

/**
 * The gateway-wide budgets of one kind of event (joins, or client broadcasts): one per caller and one per
 * tenant. A socket's own budget is a `RateWindow` on the socket.
 */
export class RateBudgets {
  readonly callers: KeyedRateWindows
  readonly tenants: KeyedRateWindows

  constructor(perCaller: number, perTenant: number) {
    this.callers = new KeyedRateWindows(perCaller)
    this.tenants = new KeyedRateWindows(perTenant)
  }
}

/**
 * Presence calls per channel: CLIENT_PRESENCE_MAX_CALLS within a window that opens at the first call
 * (RealtimeChannel's presence_client_rate_limit: counter + reset_at).
 */
export class PresenceCallLimiter {
  #count = 0
  #resetAt = 0

  tryCall(maxCalls: number, windowMs: number, nowMs: number): boolean {
    if (nowMs >= this.#resetAt) {
      this.#count = 0
      this.#resetAt = nowMs + windowMs
    }
    this.#count++
    return this.#count <= maxCalls
  }
}
