import type { Clock } from '../../shared/clock.ts'
import { CoalescedListeners } from './coalescer.ts'
import { emptyMaps, rowKey } from './entities.ts'
import { accessError, joinRefused, type ScopeAccessError } from './errors.ts'
import type { HealthMetrics } from './health.ts'
import type { FunctionsApi } from './functions-api.ts'
import type { LinkChannel, LinkStatus, RealtimeLink } from './link.ts'
import { overlay } from './mutations/overlay.ts'
import type { MutationQueue } from './mutations/queue.ts'
import type { SpecContext } from './mutations/specs.ts'
import type { EntityType, Session } from '../../contract/payloads.ts'
import type { TopicKind } from '../../contract/topics.ts'
import { type ScopeKey, topicOf, VIEW_BUILDERS } from './scope-keys.ts'
import { type StoreTrace, TopicStore } from './store.ts'
import type { ResolvedOptions } from './config.ts'
import type { Pause, RetryEngine } from './retry.ts'
import { scopeStatus, type Status } from './status.ts'

/** A scope's status: the client's one vocabulary (status.ts). */
export type ScopeStatus = Status

/** The broadcast the database sends every topic when it starts a new epoch (migrations: announce_topic_epoch). */
export const EPOCH_CHANGED = 'epoch_changed'

/** One notification: what changed since the last one (several store changes coalesced). */
export interface ScopeBatch {
  /** The data was replaced (a snapshot): re-read everything. */
  reset: boolean
  /** Rows that changed (confirmed or optimistic), deduplicated. */
  changes: { type: EntityType; id: string }[]
}

export interface ScopeDeps {
  options: ResolvedOptions
  clock: Clock
  link: RealtimeLink
  api: FunctionsApi
  metrics: HealthMetrics
  queue: MutationQueue
  retry: RetryEngine
  /** The network cannot be trusted now (status.ts Connectivity): every scope reads `offline`. */
  offline(): boolean
  trace?: StoreTrace
  session(): Promise<Session>
  context(): SpecContext
  /** Status or data changed (health listeners, mutation reconciliation). */
  changed(scope: PooledScope, data: boolean): void
  disposed(scope: PooledScope): void
}

/**
 * The session a scope opens its topic with, retried until it comes (an expired or not yet refreshed token may be
 * fine next time: only a refusal stops); undefined once `disposed`, or refused (then `fail` has been told why).
 */
export async function scopeSession(
  deps: Pick<ScopeDeps, 'retry' | 'session'>,
  disposed: () => boolean,
  fail: (error: ScopeAccessError) => void,
): Promise<Session | undefined> {
  try {
    const session = await deps.retry.run(() => deps.session(), { persistent: true, stopped: disposed })
    return disposed() ? undefined : session
  } catch (error) {
    if (!disposed()) fail(accessError(error))
    return undefined
  }
}

type Change = { reset: boolean; changes: { type: EntityType; id: string }[] }

/** What the client's pool needs of a scope, whatever its kind (topic scopes here, `crew` in crew.ts). */
export interface PooledScope {
  readonly id: string
  readonly kind: TopicKind | 'crew'
  readonly store: TopicStore | null
  readonly topic: string | null
  readonly refs: number
  readonly holdsChannel: boolean
  readonly status: ScopeStatus
  readonly error: Error | null
  readonly ready: Promise<void>
  acquire(): void
  release(): void
  dispose(): void
  subscribe(listener: (batch: ScopeBatch) => void): () => void
  view(): unknown
  invalidate(): void
  resync(): void
  /** The client's connectivity changed, and with it this scope's status: tell its listeners. */
  statusChanged(): void
}

/**
 * One scope of the pool: its topic's store, the channel that feeds it (held while someone holds the scope),
 * polling while the channel is down, the derived view and its listeners.
 */
export class Scope implements PooledScope {
  refs = 0
  topic: string | null = null
  kind: TopicKind
  #scopeId: string | null = null
  store: TopicStore | null = null
  error: Error | null = null
  #joined = false
  #everJoined = false
  #polling = false

  #channel: LinkChannel | null = null
  #downTimer: unknown = null
  #pollWait: Pause | null = null
  #idleTimer: unknown = null
  #stamp = 0
  #view: { stamp: number; value: unknown } | null = null
  readonly #listeners: CoalescedListeners<Change, ScopeBatch>
  #started = false
  #disposed = false
  #ready: Promise<void>
  #settleReady!: { resolve(): void; reject(error: Error): void }
  readonly #deps: ScopeDeps

  constructor(
    readonly id: string,
    readonly key: Exclude<ScopeKey, { scope: 'crew' }>,
    deps: ScopeDeps,
  ) {
    this.#deps = deps
    this.kind = key.scope
    this.#listeners = new CoalescedListeners<Change, ScopeBatch>(
      deps.clock,
      deps.options.coalesceMs,
      deps.options.coalesceMaxWaitMs,
      mergeChanges,
    )
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = { resolve, reject }
    })
    this.#ready.catch(() => {}) // observed through status/error as well
  }

  /** Resolves once the scope is first live: data loaded, channel joined (or polling) and caught up. */
  get ready(): Promise<void> {
    return this.#ready
  }

  get holdsChannel(): boolean {
    return this.refs > 0
  }

  get status(): ScopeStatus {
    const store = this.store
    return scopeStatus({
      refused: this.error !== null || store?.status === 'error',
      loaded: store?.loaded ?? false,
      joined: this.#joined,
      polling: this.#polling,
      healed: store?.status === 'live',
    }, this.#deps.offline())
  }

  /** Someone holds the scope: start it, or take it back from idle (its data was kept). */
  acquire(): void {
    this.refs++
    if (this.refs > 1) return
    if (this.#idleTimer !== null) {
      this.#deps.clock.clearTimeout(this.#idleTimer)
      this.#idleTimer = null
    }
    if (!this.#started) {
      this.#started = true
      void this.#start()
    } else if (this.store && !this.#channel && !this.error) {
      if (this.store.loaded) this.#deps.metrics.reused()
      this.#join()
    }
  }

  release(): void {
    if (this.refs === 0) return
    this.refs--
    if (this.refs > 0) return
    this.#leave()
    if (!this.#deps.options.pooling || this.#deps.options.cacheTtlMs <= 0 || this.error) {
      this.dispose()
      return
    }
    this.#idleTimer = this.#deps.clock.setTimeout(() => this.dispose(), this.#deps.options.cacheTtlMs)
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    this.#leave()
    if (this.#idleTimer !== null) this.#deps.clock.clearTimeout(this.#idleTimer)
    this.#listeners.close()
    this.store?.close()
    this.#deps.disposed(this)
  }

  subscribe(listener: (batch: ScopeBatch) => void): () => void {
    return this.#listeners.subscribe(listener)
  }

  view(): unknown {
    if (this.#view && this.#view.stamp === this.#stamp) return this.#view.value
    const ctx = this.#deps.context()
    const confirmed = this.store?.confirmed ?? emptyMaps()
    const { rows, pending } = overlay(confirmed, this.kind, this.#scopeId, this.#deps.queue.pending, ctx)
    const value = VIEW_BUILDERS[this.kind]({ rows, pending, scopeId: this.#scopeId, now: ctx.now })
    this.#view = { stamp: this.#stamp, value }
    return value
  }

  /** Pending mutations changed: the view must be rebuilt. */
  invalidate(): void {
    this.#touch({ reset: false, changes: [] })
  }

  statusChanged(): void {
    this.#touch({ reset: false, changes: [] })
  }

  /** Regained visibility or network: fetch whatever was missed. */
  resync(): void {
    if (this.store && !this.error) void this.store.resync()
  }

  async #start(): Promise<void> {
    const session = await scopeSession(this.#deps, () => this.#disposed, (error) => this.#fail(error))
    if (!session) return
    const { topic, scopeId } = topicOf(this.key, session)
    this.topic = topic
    this.#scopeId = scopeId
    const store = new TopicStore({
      topic,
      kind: this.kind,
      api: this.#deps.api,
      metrics: this.#deps.metrics,
      retry: this.#deps.retry,
      trace: this.#deps.trace,
    })
    this.store = store
    store.onChange((change) => this.#touch({ reset: change.reset, changes: change.entities }, true))
    store.onStatus((status) => {
      if (status === 'error' && store.error) this.#settleReady.reject(store.error)
      this.#touch({ reset: false, changes: [] })
    })
    if (this.refs > 0) this.#join()
    void store.resync()
  }

  #join(): void {
    if (!this.topic || this.#channel) return
    const store = this.store!
    this.#channel = this.#deps.link.join(this.topic, {
      message: (event, payload) => {
        if (event === EPOCH_CHANGED) store.epochAnnounced((payload as { epoch?: unknown } | null)?.epoch)
        else store.receive(payload as Record<string, unknown>)
      },
      status: (status, reason) => this.#linkStatus(status, reason),
    })
    this.#armPolling()
  }

  #leave(): void {
    this.#channel?.leave()
    this.#channel = null
    this.#joined = false
    this.#stopPolling()
    if (this.#downTimer !== null) this.#deps.clock.clearTimeout(this.#downTimer)
    this.#downTimer = null
  }

  #linkStatus(status: LinkStatus, reason?: string): void {
    if (status === 'joined') {
      if (this.#everJoined && !this.#joined) this.#deps.metrics.reconnected()
      this.#everJoined = true
      this.#joined = true
      if (this.#downTimer !== null) this.#deps.clock.clearTimeout(this.#downTimer)
      this.#downTimer = null
      this.#stopPolling()
      // whatever was published while the channel was not joined is fetched now
      void this.store?.resync()
    } else if (status === 'down') {
      this.#joined = false
      this.#armPolling()
    } else {
      this.#channel = null
      this.#joined = false
      this.#stopPolling()
      this.#fail(joinRefused(reason))
      return
    }
    this.#touch({ reset: false, changes: [] })
  }

  /** If the channel stays down past `pollAfterMs`, poll. */
  #armPolling(): void {
    if (this.#joined || this.#polling || this.#downTimer !== null) return
    this.#downTimer = this.#deps.clock.setTimeout(() => {
      this.#downTimer = null
      if (!this.#joined && this.#channel) void this.#startPolling()
    }, this.#deps.options.pollAfterMs)
  }

  /** Catch-up every `pollIntervalMs` until the channel is back (a failed poll is retried by the store itself). */
  async #startPolling(): Promise<void> {
    this.#polling = true
    this.#touch({ reset: false, changes: [] })
    while (this.#polling && this.store) {
      await this.store.resync()
      if (!this.#polling) return
      this.#pollWait = this.#deps.retry.pause(this.#deps.options.pollIntervalMs, false)
      await this.#pollWait
      this.#pollWait = null
    }
  }

  #stopPolling(): void {
    if (!this.#polling) return
    this.#polling = false
    this.#pollWait?.wake()
    this.#pollWait = null
  }

  #fail(error: Error): void {
    this.error = error
    this.#settleReady.reject(error)
    this.#touch({ reset: false, changes: [] })
  }

  #touch(change: Change, data = false): void {
    if (this.#disposed) return
    if (this.status === 'live') this.#settleReady.resolve()
    this.#stamp++
    this.#deps.changed(this, data)
    this.#listeners.push(change)
  }
}

/** One batch for the listeners: the rows changed, each once, and whether any change was a reset. */
function mergeChanges(batch: Change[]): ScopeBatch {
  const seen = new Set<string>()
  const changes: ScopeBatch['changes'] = []
  let reset = false
  for (const change of batch) {
    reset ||= change.reset
    for (const ref of change.changes) {
      const key = rowKey(ref.type, ref.id)
      if (seen.has(key)) continue
      seen.add(key)
      changes.push(ref)
    }
  }
  return { reset, changes }
}
