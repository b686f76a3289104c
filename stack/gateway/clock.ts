/**
 * The time the gateway decides by — rate windows, token expiry, slow consumers, database waits — behind one
 * interface, so tests can move it instead of waiting on a loaded machine's wall clock. The stack uses
 * `systemClock`.
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

/** How long a wait may take, on which clock. */
export interface Deadline {
  readonly clock: Clock;
  readonly ms: number;
}

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/**
 * `work`, or DeadlineExceeded once `ms` have passed on `clock`. A Postgres that stops answering (frozen, or its
 * host gone) leaves a query pending until TCP gives up, minutes later; the caller gets its answer in bounded time
 * instead, while the query itself finishes (or fails) whenever it does.
 */
export function withDeadline<T>({ clock, ms }: Deadline, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.after(ms, () => reject(new DeadlineExceeded(`no answer within ${ms} ms`)));
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}
