import type { Logger } from '../log.ts'
import type { Clock } from '../../shared/clock.ts'

/**
 * A warning that anyone can trigger from outside (a bad frame): logged at most once per interval for the
 * whole gateway, however many sockets send it, so a flood of bad input cannot flood the log. The next line
 * logged says how many were left out since the previous one.
 */
export class ThrottledWarning {
  readonly #log: Logger
  readonly #message: string
  readonly #intervalMs: number
  readonly #clock: Clock
  #loggedAt = -Infinity
  #unlogged = 0

  constructor(log: Logger, message: string, intervalMs: number, clock: Clock) {
    this.#log = log
    this.#message = message
    this.#intervalMs = intervalMs
    this.#clock = clock
  }

  warn(fields: Record<string, unknown>): void {
    const now = this.#clock.now()
    if (now - this.#loggedAt < this.#intervalMs) {
      this.#unlogged++
      return
    }
    this.#log.warn(
      this.#message,
      this.#unlogged > 0 ? { ...fields, notLoggedSincePrevious: this.#unlogged } : fields,
    )
    this.#loggedAt = now
    this.#unlogged = 0
  }
}
