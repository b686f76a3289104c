// When to try again after a failure, for every loop that retries: the client's reconnects and requests, the stack's
// supervisors, the functions workers, the gateway's replication ingest. Exponential, capped, with jitter where many
// parties retry at once: full jitter (a delay drawn between a floor and the cap) spreads a room full of screens
// coming back after one outage over the window instead of bringing them back together, which keeps them under the
// server's join-rate limit (Marc Brooker, "Exponential Backoff And Jitter"). Web-standard only: the client imports it.
import type { Clock } from './clock.ts'

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

/** The delay before attempt `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, policy: BackoffOptions, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt))
  const floor = cap * (policy.floorRatio ?? 0.1)
  return Math.round(floor + random() * (cap - floor))
}

/** An attempt counter with its policy: `next()` gives the delay before the next try, `reset()` after a success. */
export class Backoff {
  #attempts = 0
  readonly #random: () => number

  constructor(
    readonly policy: BackoffOptions,
    random: () => number,
  ) {
    this.#random = random
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
}

/** The backoff of something started again whenever it stops (a process, a worker): a long enough run is a success. */
export interface RestartPolicy extends BackoffOptions {
  /** A run longer than this (ms) forgives the failures before it. */
  resetAfterMs: number
}

/** A Backoff that tells runs apart on its clock: `started()` when up (again), `stopped()` when it ended on its own. */
export class RestartBackoff extends Backoff {
  readonly #clock: Clock
  #runningSince: number

  constructor(
    override readonly policy: RestartPolicy,
    random: () => number,
    clock: Clock,
  ) {
    super(policy, random)
    this.#clock = clock
    this.#runningSince = clock.now()
  }

  started(): void {
    this.#runningSince = this.#clock.now()
  }

  stopped(): void {
    if (this.#clock.now() - this.#runningSince > this.policy.resetAfterMs) this.reset()
  }
}
