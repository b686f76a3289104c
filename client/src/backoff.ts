/**
 * Exponential backoff with full jitter (delay drawn uniformly from [floor, cap]): many clients coming back after
 * one outage spread their reconnects and joins over the window instead of arriving together, which is what keeps
 * a room full of screens under the server's join-rate limit (Marc Brooker, "Exponential Backoff And Jitter").
 */
export interface BackoffOptions {
  /** The cap of the first attempt, ms. */
  baseMs: number;
  /** The largest cap, ms. */
  maxMs: number;
  /** The smallest delay, as a share of the cap (0..1): a reconnect storm never retries at 0 ms. */
  floorRatio?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const floor = cap * (options.floorRatio ?? 0.1);
  return Math.round(floor + random() * (cap - floor));
}

/** An attempt counter with its policy: `next()` gives the delay before the next try, `reset()` after a success. */
export class Backoff {
  #attempt = 0;
  readonly #random: () => number;

  constructor(
    readonly options: BackoffOptions,
    random: () => number,
  ) {
    this.#random = random;
  }

  next(): number {
    return backoffDelay(this.#attempt++, this.options, this.#random);
  }

  /** Counts as `n` extra failed attempts (e.g. the server said it is overloaded: back off further). */
  penalize(n = 1): void {
    this.#attempt += n;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
