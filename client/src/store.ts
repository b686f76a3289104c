import type { Backoff } from '../../shared/backoff.ts'
import { emptyMaps, type Entity, type EntityMaps, entityOf, isEntityType, snapshotRows } from './entities.ts'
import { accessError } from './errors.ts'
import { classify, type Pause, type RetryEngine } from './retry.ts'
import type { FunctionsApi } from './functions-api.ts'
import type { EntityType } from '../../contract/payloads.ts'
import type { TopicKind } from '../../contract/topics.ts'

export type StoreStatus = 'loading' | 'live' | 'catching_up' | 'error'

/** What changed in a store: some entities, or everything (a snapshot replaced the data). */
export interface StoreChange {
  topic: string
  reset: boolean
  entities: { type: EntityType; id: string }[]
}

/** What a store reports for the client's health metrics. */
export interface StoreMetrics {
  /** A live broadcast arrived; `ts` is the envelope's server time. */
  received(ts: number): void
  /** A message already held (or older than the row held) was dropped. */
  duplicate(): void
  /** A gap (or reconnect/wake-up resync) was closed by catch-up or a snapshot. */
  gapHealed(): void
  /** A snapshot request: `hit` when the server answered 304 (the data held was current). */
  snapshot(hit: boolean): void
  /** The topic started over in a new epoch (`plater reset`, a restore): its data was replaced. */
  epochChanged(): void
}

export interface StoreOptions {
  topic: string
  kind: TopicKind
  api: Pick<FunctionsApi, 'snapshot' | 'catchUp'>
  metrics: StoreMetrics
  retry: RetryEngine
  /** Observes every seq the store applies and every snapshot it loads (tests, debugging). */
  trace?: StoreTrace
}

export type StoreTrace = (
  event: { topic: string; kind: 'snapshot' | 'apply'; seq: number; epoch: string | null },
) => void

/** Anything more behind than this many buffered messages is re-read from the server instead of held. */
const MAX_BUFFERED = 10_000

/**
 * One topic's data: a snapshot, then its events in `seq` order, each applied exactly once.
 *
 * - A message with the next seq is applied (and only if it brings a newer `version` of its row).
 * - A message past the next seq is held, and a catch-up fetches what is missing; held messages are applied once
 *   the gap is closed. Concurrent reasons to catch up (gaps, a reconnect, a wake-up) share one request loop.
 * - A message at or below the seq held is a duplicate, unless it carries a row the store has never seen at that
 *   version: then the topic may have started over (database reset), and a catch-up with the epoch finds out.
 * - `refetch_snapshot` (log beyond retention, seq ahead of the topic, epoch changed) reloads the snapshot.
 * - An `epoch_changed` announcement (the database started a new epoch) reloads the snapshot at once.
 * Requests that fail are retried on the client's retry engine; a refusal (403/404) stops the store with a
 * ScopeAccessError.
 */
export class TopicStore {
  readonly topic: string
  readonly kind: TopicKind
  confirmed: EntityMaps = emptyMaps()
  seq = 0
  epoch: string | null = null
  #etag: string | null = null
  status: StoreStatus = 'loading'
  error: Error | null = null

  #loaded = false
  #reloadWanted = false
  #reloading = false
  #resyncWanted = false
  #buffer = new Map<number, Record<string, unknown>>()
  #running: Promise<void> | null = null
  #waiting: Pause | null = null
  #closed = false
  #retry: Backoff
  #listeners = new Set<(change: StoreChange) => void>()
  #statusListeners = new Set<(status: StoreStatus) => void>()
  readonly #options: StoreOptions

  constructor(options: StoreOptions) {
    this.#options = options
    this.topic = options.topic
    this.kind = options.kind
    this.#retry = options.retry.backoff()
  }

  get loaded(): boolean {
    return this.#loaded
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  onStatus(listener: (status: StoreStatus) => void): () => void {
    this.#statusListeners.add(listener)
    return () => this.#statusListeners.delete(listener)
  }

  /** Loads the snapshot if needed, else fetches whatever happened since the seq held. One loop per store. */
  resync(): Promise<void> {
    this.#resyncWanted = true
    this.#waiting?.wake() // a reconnect or a poll is news: do not sit out a backoff meant for the last failure
    return this.#run()
  }

  /** The database announced a new epoch: what is held is the old database's; reload if it is not this one. */
  epochAnnounced(epoch: unknown): void {
    if (this.#closed || this.status === 'error' || !this.#loaded || epoch === this.epoch) return
    this.#reloadWanted = true
    this.#resyncWanted = true
    this.#buffer.clear()
    this.#waiting?.wake()
    void this.#run()
  }

  /** A message from the topic's channel. */
  receive(message: Record<string, unknown>): void {
    if (this.#closed || this.status === 'error') return
    const seq = Number(message.seq)
    if (
      !Number.isSafeInteger(seq) || seq < 1 || !isEntityType(message.type) || typeof message.id !== 'string'
    ) return
    if (seq <= this.seq) {
      if (this.#loaded && this.#unseen(message)) void this.resync()
      else this.#options.metrics.duplicate()
      return
    }
    if (typeof message.ts === 'number') this.#options.metrics.received(message.ts)
    if (!this.#loaded || this.#reloading || this.#reloadWanted || seq !== this.seq + 1) {
      this.#hold(seq, message)
      if (this.#loaded) void this.#run()
      return
    }
    this.#apply([message])
    this.#drain()
  }

  close(): void {
    this.#closed = true
    this.#buffer.clear()
    this.#listeners.clear()
    this.#statusListeners.clear()
  }

  #hold(seq: number, message: Record<string, unknown>): void {
    if (this.#buffer.size >= MAX_BUFFERED) {
      this.#buffer.clear()
      this.#resyncWanted = true
    }
    this.#buffer.set(seq, message)
  }

  /** A message at or below the seq held that brings a row (version) the store has not seen. */
  #unseen(message: Record<string, unknown>): boolean {
    const held = this.confirmed[message.type as EntityType].get(message.id as string)
    return !held || held.version < Number(message.version)
  }

  #run(): Promise<void> {
    if (this.#running) return this.#running
    this.#running = this.#loop().finally(() => {
      this.#running = null
    })
    return this.#running
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      const reload = !this.#loaded || this.#reloadWanted
      if (!reload && !this.#resyncWanted && this.#buffer.size === 0) break
      this.#setStatus(this.#loaded ? 'catching_up' : 'loading')
      const healing = this.#loaded && (this.#buffer.size > 0 || this.#resyncWanted)
      this.#resyncWanted = false
      const before = this.seq
      try {
        if (reload) await this.#load(this.#loaded)
        else await this.#catchUp()
        if (healing && (reload || this.seq > before)) this.#options.metrics.gapHealed()
        // a gap the server could not fill yet (it committed after our request started): wait a little
        if (!reload && this.#buffer.size > 0 && this.seq === before) await this.#pause(this.#retry.next())
        else this.#retry.reset()
      } catch (error) {
        if (classify(error) === 'refused') {
          this.#fail(accessError(error))
          return
        }
        this.#resyncWanted = true
        await this.#pause(this.#retry.next())
      }
    }
    if (!this.#closed) this.#setStatus('live')
  }

  async #pause(ms: number): Promise<void> {
    this.#waiting = this.#options.retry.pause(ms)
    await this.#waiting
    this.#waiting = null
  }

  /** Replaces the data with the topic's snapshot; `revalidate` sends the ETag held (only epoch-stamped ones). */
  async #load(revalidate: boolean): Promise<void> {
    this.#reloadWanted = false
    const etag = revalidate && this.#etag?.includes('@') ? this.#etag : null
    this.#reloading = true
    let answer: Awaited<ReturnType<StoreOptions['api']['snapshot']>>
    try {
      answer = await this.#options.api.snapshot(this.topic, etag)
    } finally {
      this.#reloading = false
    }
    if (this.#closed) return
    if (!answer.modified) {
      this.#options.metrics.snapshot(true)
      this.#drain()
      return
    }
    this.#options.metrics.snapshot(false)
    const snapshot = answer.body
    const maps = emptyMaps()
    for (const row of snapshotRows(snapshot.data)) maps[row.type].set(row.id, row)
    const epoch = snapshot.epoch ?? null
    if (this.#loaded && (epoch !== this.epoch || Number(snapshot.seq) < this.seq)) {
      // the topic started over: what is held was numbered in the old epoch; ask again after the snapshot
      this.#buffer.clear()
      this.#resyncWanted = true
      this.#options.metrics.epochChanged()
    }
    this.confirmed = maps
    this.seq = Number(snapshot.seq)
    this.epoch = epoch
    this.#etag = answer.etag
    this.#loaded = true
    this.#options.trace?.({ topic: this.topic, kind: 'snapshot', seq: this.seq, epoch })
    this.#emit({ topic: this.topic, reset: true, entities: [] })
    this.#drain()
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const answer = await this.#options.api.catchUp(this.topic, this.seq, this.epoch)
      if (this.#closed) return
      // the log cannot continue (refetch_snapshot), or it is another epoch's: the snapshot is read again
      if (!answer.ok || (answer.page.epoch && this.epoch && answer.page.epoch !== this.epoch)) {
        await this.#load(false)
        return
      }
      const page = answer.page
      this.#apply(page.events.map((event) => event.payload as unknown as Record<string, unknown>))
      this.#drain()
      if (!page.more || page.events.length === 0) return
    }
  }

  /** Applies messages that continue the seq held; others are left alone. */
  #apply(messages: Record<string, unknown>[]): void {
    const changed: StoreChange['entities'] = []
    for (const message of messages) {
      if (Number(message.seq) !== this.seq + 1) continue
      this.seq += 1
      this.#options.trace?.({ topic: this.topic, kind: 'apply', seq: this.seq, epoch: this.epoch })
      const entity: Entity = entityOf(message)
      const rows = this.confirmed[entity.type]
      const held = rows.get(entity.id)
      if (held && held.version >= entity.version) {
        this.#options.metrics.duplicate()
        continue
      }
      rows.set(entity.id, entity)
      changed.push({ type: entity.type, id: entity.id })
    }
    if (changed.length > 0) this.#emit({ topic: this.topic, reset: false, entities: changed })
  }

  /** Applies held messages that now continue the seq, and forgets those already covered. */
  #drain(): void {
    if (this.#buffer.size === 0) return
    const next: Record<string, unknown>[] = []
    for (
      let message = this.#buffer.get(this.seq + 1);
      message;
      message = this.#buffer.get(this.seq + 1 + next.length)
    ) {
      next.push(message)
    }
    this.#apply(next)
    for (const seq of this.#buffer.keys()) if (seq <= this.seq) this.#buffer.delete(seq)
  }

  #fail(error: Error): void {
    this.error = error
    this.#buffer.clear()
    this.#setStatus('error')
  }

  #setStatus(status: StoreStatus): void {
    if (this.status === status) return
    this.status = status
    for (const listener of this.#statusListeners) listener(status)
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) listener(change)
  }
}
