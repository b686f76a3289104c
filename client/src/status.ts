import type { Clock } from '../../shared/clock.ts'

/**
 * The one status vocabulary of the client: every scope, `health.status` and the console use these words, from
 * the same rules (this file), so two pills on one screen can never disagree.
 *
 * - `loading`: nothing to show yet (first snapshot or first join under way).
 * - `live`: joined, and every change up to now applied.
 * - `catching_up`: data shown, but a gap, a rejoin or a reset is being healed.
 * - `polling`: the channel is down; changes come by catch-up requests every `pollIntervalMs`.
 * - `offline`: the network is gone (browser `offline`, a socket silent past `heartbeatTimeoutMs`, or requests
 *   failing for want of an answer); the data shown may be stale.
 * - `error`: this scope was refused for good (`error` says why); says nothing about the connection.
 */
export type Status = 'loading' | 'live' | 'catching_up' | 'polling' | 'offline' | 'error'

/** The client's status: a scope's words, but never `error` (a refused scope says nothing about the network). */
export type HealthStatus = Exclude<Status, 'error'>

/** What a scope knows of itself; `scopeStatus` turns it into words. */
export interface ScopeCondition {
  /** Refused for good. */
  refused: boolean
  /** Its data (snapshot) is there. */
  loaded: boolean
  /** Its channel is joined now. */
  joined: boolean
  /** Catch-up polling stands in for the channel. */
  polling: boolean
  /** No gap, rejoin or reset is waiting to be healed. */
  healed: boolean
}

export function scopeStatus(scope: ScopeCondition, offline: boolean): Status {
  if (scope.refused) return 'error'
  if (offline) return 'offline'
  if (!scope.loaded) return 'loading'
  if (!scope.healed) return 'catching_up'
  if (scope.joined) return 'live'
  return scope.polling ? 'polling' : 'catching_up'
}

/** Every status, from the best to the worst (`error` last: a refused scope says nothing of the network). */
export const STATUSES: readonly Status[] = ['live', 'loading', 'catching_up', 'polling', 'offline', 'error']

/**
 * The client's status: offline if the network is; else its worst open scope's (refused ones left out), so it
 * reads `live` only once every open scope has healed its gaps. No scope open: `live` once anything answered.
 */
export function healthStatus(scopes: Status[], connectivity: Connectivity): HealthStatus {
  if (connectivity.offline) return 'offline'
  const counted = scopes.filter((status): status is HealthStatus => status !== 'error')
  if (counted.length === 0) return connectivity.answered ? 'live' : 'loading'
  return counted.reduce(
    (worst, status) => (STATUSES.indexOf(status) > STATUSES.indexOf(worst) ? status : worst),
    'live',
  )
}

export interface ConnectivityOptions {
  clock: Clock
  /** A socket that answered nothing for this long is taken for dead (the network may have gone silently). */
  heartbeatTimeoutMs: number
  /** Whether the socket believes it is open (a closed one is not silent: its channels say they are down). */
  socketOpen(): boolean
  /** The socket went silent: tear it down and connect again. */
  silent(): void
  /** `offline` changed. */
  changed(): void
  /** The network is back: whatever waits for it should try now. */
  reachable(): void
}

/**
 * Whether the network can be trusted, from three sources: the browser's `offline`/`online` events, the
 * socket's signs of life (heartbeat answers, joins, messages) against a watchdog of `heartbeatTimeoutMs`, and
 * the outcome of HTTP requests (no answer at all = offline, any answer = reachable).
 */
export class Connectivity {
  #browserOffline = false
  #socketSilent = false
  #httpFailing = false
  #answered = false
  #watchdog: unknown = null
  #closed = false
  readonly #options: ConnectivityOptions

  constructor(options: ConnectivityOptions) {
    this.#options = options
  }

  get offline(): boolean {
    return this.#browserOffline || this.#socketSilent || this.#httpFailing
  }

  /** Something answered once (the socket or a request): with no scope open, the client is live. */
  get answered(): boolean {
    return this.#answered
  }

  /** The browser's `online` (true) / `offline` (false) event. */
  browser(online: boolean): void {
    this.#update(() => {
      this.#browserOffline = !online
    })
  }

  /** The socket answered (heartbeat reply, join, message): it is alive; watch it again from now. */
  socketAlive(): void {
    this.#update(() => {
      this.#socketSilent = false
      this.#answered = true
    })
    this.#arm()
  }

  /** An HTTP request got an answer (`true`, whatever its status) or none at all (`false`). */
  http(answered: boolean): void {
    this.#update(() => {
      this.#httpFailing = !answered
      if (answered) {
        this.#answered = true
        // the network carries requests: a silent socket is the socket's trouble (its channels say so)
        this.#socketSilent = false
      }
    })
  }

  close(): void {
    this.#closed = true
    if (this.#watchdog !== null) this.#options.clock.clearTimeout(this.#watchdog)
    this.#watchdog = null
  }

  #arm(): void {
    if (this.#closed) return
    if (this.#watchdog !== null) this.#options.clock.clearTimeout(this.#watchdog)
    this.#watchdog = this.#options.clock.setTimeout(() => {
      this.#watchdog = null
      if (!this.#options.socketOpen()) return // closed: reconnecting, and its channels are down
      this.#update(() => {
        this.#socketSilent = true
      })
      this.#options.silent()
    }, this.#options.heartbeatTimeoutMs)
  }

  #update(change: () => void): void {
    if (this.#closed) return
    const before = this.offline
    change()
    if (this.offline === before) return
    this.#options.changed()
    if (!this.offline) this.#options.reachable()
  }
}
