// When to try again after a failure, for every loop that retries: the client's reconnects and requests, the stack's
// supervisors, the functions workers, the gateway's replication ingest. Exponential, capped, with jitter where many
// parties retry at once: full jitter (a delay drawn between a floor and the cap) spreads a room full of screens
// coming back after one outage over the window instead of bringing them back together, which keeps them under the
// server's join-rate limit (Marc Brooker, "Exponential Backoff And Jitter"). Web-standard only: the client imports it.
import { type Clock, systemClock } from './clock.ts'

/** Exponential backoff with full jitter: each delay is drawn between a floor and a cap that doubles per attempt. */
export interface BackoffOptions {
  /** The cap of the first attempt, ms. */
  baseMs: number
  /** The largest cap, ms. */
  maxMs: number
  /**
   * The smallest delay, as a share of the cap (0..1; 0.1 unless set): a reconnect storm never retries at 0 ms.
   * 1 takes the jitter away (one process restarting its own child has nobody to spread out from).
   */
  floorRatio?: number
}

/** Delays, and when a run has lasted long enough (ms) to forgive the failures before it (unless set: only `reset()`). */
export interface BackoffPolicy extends BackoffOptions {
  resetAfterMs?: number
}

const DEFAULT_FLOOR_RATIO = 0.1

/** The delay before attempt `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, policy: BackoffOptions, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt))
  const floor = cap * (policy.floorRatio ?? DEFAULT_FLOOR_RATIO)
  return Math.round(floor + random() * (cap - floor))
}

/** An attempt counter with its policy: `next()` gives the delay before the next try, `reset()` after a success. */
export class Backoff {
  #attempts = 0
  #runningSince: number
  readonly #random: () => number
  readonly #clock: Clock

  constructor(
    readonly policy: BackoffPolicy,
    random: () => number = Math.random,
    clock: Clock = systemClock,
  ) {
    this.#random = random
    this.#clock = clock
    this.#runningSince = clock.now()
  }

  /** The wait before the next attempt, which it counts. */
  next(): number {
    return backoffDelay(this.#attempts++, this.policy, this.#random)
  }

  /** Failed attempts since the last success. */
  get attempts(): number {
    return this.#attempts
  }

  /** Counts as `n` extra failed attempts (e.g. the server said it is overloaded: back off further). */
  penalize(n = 1): void {
    this.#attempts += n
  }

  reset(): void {
    this.#attempts = 0
  }

  /** What is retried is up (again) from now. */
  started(): void {
    this.#runningSince = this.#clock.now()
  }

  /** It stopped on its own: a run of `resetAfterMs` or longer forgives the failures before it. */
  stopped(): void {
    const { resetAfterMs } = this.policy
    if (resetAfterMs !== undefined && this.#clock.now() - this.#runningSince > resetAfterMs) this.reset()
  }
}
