// Time, behind one interface for every runtime (the client, the gateway, the stack's loops): code that decides by
// time takes a Clock, so a test moves time instead of sleeping on a loaded machine's wall clock. The shape is the
// web's own timer pair, which a system clock is a thin layer over. Web-standard only: the client imports this.

/** Time and timers, injected so tests can drive them without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Runs `fn` once, `ms` from now; returns the handle `clearTimeout` takes. */
  setTimeout(fn: () => void, ms: number): unknown
  /** Cancels a timer `setTimeout` returned (one that already ran or was cleared: nothing). */
  clearTimeout(handle: unknown): void
}

/** The wall clock. Its timers never keep a process alive: a pending retry or TTL is no reason to stay up. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle: unknown = setTimeout(fn, ms)
    ;(handle as { unref?: () => void }).unref?.() // Node; browsers and Deno return a number
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** Resolves `ms` from now on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms))
}
