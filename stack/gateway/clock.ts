/**
 * The time the gateway decides by — join-rate windows and token expiry — behind one interface, so tests can
 * move it instead of waiting on a loaded machine's wall clock. The stack uses `systemClock`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `ms` from now; returns what cancels it. The timer never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms).unref();
    return () => clearTimeout(timer);
  },
};
