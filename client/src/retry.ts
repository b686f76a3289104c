import { type ErrorCode, isTransientAnswer } from '../../contract/errors.ts'
import { Backoff, type BackoffOptions } from '../../shared/backoff.ts'
import type { Clock } from '../../shared/clock.ts'
import { ApiError, NetworkError } from './errors.ts'

/**
 * How the client retries (the `retry` and `reconnect` options): full-jitter exponential backoff, and how many
 * times an answer that is transient but not a missing network (5xx, 429, an expired token) is tried.
 */
export interface RetryPolicy extends BackoffOptions {
  /** Tries for 5xx, 429 and token failures before giving up (a missing network is retried for ever). Default 5. */
  serverAttempts?: number
}

export const DEFAULT_RETRY: Required<RetryPolicy> = {
  baseMs: 250,
  maxMs: 10_000,
  floorRatio: 0.1,
  serverAttempts: 5,
}
export const DEFAULT_RECONNECT: Required<RetryPolicy> = {
  baseMs: 1_000,
  maxMs: 30_000,
  floorRatio: 0.1,
  serverAttempts: 5,
}

/**
 * Why a request failed, which decides whether and when it is tried again:
 * - `network`: no answer (offline, refused, timed out) — retried for ever, at once when the network is back;
 * - `busy`: the first request with this Idempotency-Key still runs, or the server sent Retry-After — retried after it;
 * - `server`: 5xx or 429 — retried `serverAttempts` times;
 * - `token`: 401, the access token expired or is not valid yet — retried `serverAttempts` times (the app refreshes it);
 * - `refused`: any other answer (4xx) — the same request would be refused again.
 */
export type Failure = 'network' | 'busy' | 'server' | 'token' | 'refused'

/** Codes that say the access token expired or is not valid yet, whatever the status (any 401 says so too). */
const TOKEN_CODES: readonly string[] = ['token_expired', 'invalid_jwt'] satisfies ErrorCode[]

export function classify(error: unknown): Failure {
  if (error instanceof NetworkError) return 'network'
  if (!(error instanceof ApiError)) return 'refused'
  if (error.code === ('idempotency_key_in_flight' satisfies ErrorCode)) return 'busy'
  if (error.status === 401 || TOKEN_CODES.includes(error.code)) return 'token'
  // which answers decided nothing is the contract's (the functions answer those with Retry-After)
  return isTransientAnswer(error) ? 'server' : 'refused'
}

/**
 * Worth retrying with the same Idempotency-Key: nothing was decided (no answer, a transient server state, or
 * the first request with the key still running). A decided refusal (4xx) would be refused the same way again.
 */
export function isTransient(error: unknown): boolean {
  const failure = classify(error)
  return failure === 'network' || failure === 'busy' || failure === 'server'
}

/** A wait that can be cut short. */
export type Pause = Promise<void> & { wake(): void }

export interface RunOptions {
  /** Retry `server` and `token` failures for ever too (only `refused` stops). */
  persistent?: boolean
  /** Checked before every try: stop (rejecting with the last error) once true. */
  stopped?: () => boolean
}

/**
 * The client's one retry engine: every loop that waits to try again (connect, join, snapshot and catch-up,
 * polling, mutation sends) waits here, so one `wake()` — the network is back — makes all of them try at once
 * instead of sitting out a backoff meant for the outage.
 */
export class RetryEngine {
  readonly policy: Required<RetryPolicy>
  #waiting = new Set<() => void>()
  #closed = false
  readonly #clock: Clock
  readonly #random: () => number

  constructor(
    clock: Clock,
    random: () => number,
    policy: RetryPolicy = {} as RetryPolicy,
  ) {
    this.#clock = clock
    this.#random = random
    this.policy = { ...DEFAULT_RETRY, ...policy }
  }

  /** A fresh attempt counter under this engine's policy (or another's, e.g. `reconnect`). */
  backoff(policy: BackoffOptions = this.policy): Backoff {
    return new Backoff(policy, this.#random)
  }

  /** Waits `ms`; `wakeable` waits end early on `wake()` (a server's Retry-After is not cut short). */
  pause(ms: number, wakeable = true): Pause {
    let wake!: () => void
    const promise = new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(() => wake(), ms)
      wake = () => {
        this.#clock.clearTimeout(timer)
        this.#waiting.delete(wake)
        resolve()
      }
    }) as Pause
    promise.wake = wake
    if (wakeable || this.#closed) this.#waiting.add(wake)
    if (this.#closed) wake()
    return promise
  }

  /** The network is back (or the client closes): every wakeable wait ends now. */
  wake(): void {
    for (const wake of [...this.#waiting]) wake()
  }

  close(): void {
    this.#closed = true
    this.wake()
  }

  /** Runs `task` until it succeeds, or fails for good (refused, out of attempts, stopped): then rejects. */
  async run<T>(task: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    const backoff = this.backoff()
    let attempts = 0
    for (;;) {
      try {
        return await task()
      } catch (error) {
        const failure = classify(error)
        const bounded = failure === 'server' || failure === 'token'
        if (
          failure === 'refused' || (bounded && !options.persistent && ++attempts > this.policy.serverAttempts)
        ) throw error
        if (this.#closed || options.stopped?.()) throw error
        await this.pause(this.#delay(error, backoff), failure === 'network')
        if (this.#closed || options.stopped?.()) throw error
      }
    }
  }

  /** The wait before the next try: the server's Retry-After when it sent one, else the backoff's. */
  #delay(error: unknown, backoff: Backoff): number {
    return error instanceof ApiError && error.retryAfterMs !== undefined ? error.retryAfterMs : backoff.next()
  }
}
