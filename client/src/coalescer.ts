import type { Clock } from '../../shared/clock.ts'

/**
 * Coalesces a stream of changes into notifications: the first change after a quiet period is delivered at
 * once (no added latency at low rates); changes that follow within `windowMs` are gathered and delivered
 * together `windowMs` after the last of them, but never later than `maxWaitMs` after the first one gathered
 * (a steady stream still gets through).
 */
export class Coalescer<T> {
  #pending: T[] = []
  #firstPendingAt = 0
  #lastDeliveredAt = Number.NEGATIVE_INFINITY
  #timer: unknown = null
  readonly #clock: Clock
  readonly #windowMs: number
  readonly #maxWaitMs: number
  readonly #deliver: (batch: T[]) => void

  constructor(
    clock: Clock,
    windowMs: number,
    maxWaitMs: number,
    deliver: (batch: T[]) => void,
  ) {
    this.#clock = clock
    this.#windowMs = windowMs
    this.#maxWaitMs = maxWaitMs
    this.#deliver = deliver
  }

  push(change: T): void {
    const now = this.#clock.now()
    if (this.#pending.length === 0 && this.#timer === null && now - this.#lastDeliveredAt >= this.#windowMs) {
      this.#lastDeliveredAt = now
      this.#deliver([change])
      return
    }
    if (this.#pending.length === 0) this.#firstPendingAt = now
    this.#pending.push(change)
    this.#schedule(now)
  }

  /** Delivers what is gathered now. */
  #flush(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer)
    this.#timer = null
    if (this.#pending.length === 0) return
    const batch = this.#pending
    this.#pending = []
    this.#lastDeliveredAt = this.#clock.now()
    this.#deliver(batch)
  }

  /** Drops what is gathered and stops the timer. */
  cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer)
    this.#timer = null
    this.#pending = []
  }

  #schedule(now: number): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer)
    const due = Math.min(now + this.#windowMs, this.#firstPendingAt + this.#maxWaitMs)
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null
      this.#flush()
    }, Math.max(0, due - now))
  }
}

/**
 * A scope's listeners, told of its changes through a Coalescer. A change made while nobody listens is dropped:
 * a listener that subscribes later reads the view as it is then.
 */
export class CoalescedListeners<T, B> {
  readonly #listeners = new Set<(batch: B) => void>()
  readonly #coalescer: Coalescer<T>

  constructor(clock: Clock, windowMs: number, maxWaitMs: number, toBatch: (changes: T[]) => B) {
    this.#coalescer = new Coalescer<T>(clock, windowMs, maxWaitMs, (changes) => {
      const batch = toBatch(changes)
      for (const listener of [...this.#listeners]) listener(batch)
    })
  }

  push(change: T): void {
    if (this.#listeners.size > 0) this.#coalescer.push(change)
  }

  subscribe(listener: (batch: B) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Drops what is gathered and every listener. */
  close(): void {
    this.#coalescer.cancel()
    this.#listeners.clear()
  }
}
