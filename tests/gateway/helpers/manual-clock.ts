import type { Clock } from '../../../shared/clock.ts'

/**
 * A clock that moves only when the test says so, starting by default at the wall clock's next whole second (so
 * token times in whole seconds line up with it); `advance` runs the timers that fall due, each at its due time.
 * The client's tests use it too, through FakeClock (tests/unit/client/fakes.ts), which lets promises settle
 * between timers.
 */
export class ManualClock implements Clock {
  #now: number
  #timers = new Map<number, { at: number; fn: () => void }>()
  #next = 1

  constructor(start = Math.ceil(Date.now() / 1000) * 1000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number)
  }

  get pendingTimers(): number {
    return this.#timers.size
  }

  advance(ms: number): void {
    const until = this.#now + ms
    while (this.runNextDue(until));
    this.#now = until
  }

  /** Runs the earliest timer due by `until` (the first set, of two due together), at its time; false if none is. */
  protected runNextDue(until: number): boolean {
    const due =
      [...this.#timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
    if (!due) return false
    this.#timers.delete(due[0])
    this.#now = Math.max(this.#now, due[1].at)
    due[1].fn()
    return true
  }
}
