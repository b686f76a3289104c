/**
 * When to start a supervised process again after it died (stack/postgres/supervisor.ts, stack/api/supervisor.ts):
 * 250 ms doubling to 10 s between attempts; a process that stayed up for a minute starts the count again; after
 * 8 failed starts in a row the supervisor gives up (a part that cannot start needs a person).
 */
export const RESTART_BACKOFF = { minMs: 250, maxMs: 10_000, stableAfterMs: 60_000, maxFailedStarts: 8 } as const;

export class RestartBackoff {
  #failures = 0;
  #startedAt: number;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#startedAt = now();
  }

  /** The process is up (again). */
  started(): void {
    this.#startedAt = this.#now();
  }

  /** The process ended on its own: a long run forgives the failures before it. */
  exited(): void {
    if (this.#now() - this.#startedAt > RESTART_BACKOFF.stableAfterMs) this.#failures = 0;
  }

  /** The wait before the next attempt, which it counts. */
  nextDelay(): number {
    const delay = Math.min(RESTART_BACKOFF.maxMs, RESTART_BACKOFF.minMs * 2 ** this.#failures);
    this.#failures += 1;
    return delay;
  }

  /** Attempts since the process last stayed up. */
  get attempts(): number {
    return this.#failures;
  }

  /** True once as many attempts in a row failed as the supervisor allows. */
  get exhausted(): boolean {
    return this.#failures >= RESTART_BACKOFF.maxFailedStarts;
  }
}
