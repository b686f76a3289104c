// Built snapshots, kept per topic. A snapshot's content depends only on its topic, epoch and seq (topic_snapshot
// builds rows and seq in one statement, every change to those rows advances the seq, and seq starts over only
// with a new epoch), so an entry is served only when the topic's CURRENT epoch and seq — read on every request —
// equal the entry's: the cache can be cold, never stale, also across a database reset under a running function.
// Who may read a topic is checked on every request too; the cache holds data, not permissions.

export interface CachedSnapshot {
  topic: string
  epoch: string
  seq: number
  /** The response body, serialised once: `{"seq":…,"data":…,"epoch":…,"topic":…}`. */
  body: string
  etag: string
  builtAt: number
}

export class SnapshotCache {
  readonly #entries = new Map<string, CachedSnapshot>()
  readonly #inflight = new Map<string, Promise<CachedSnapshot>>()

  constructor(readonly maxEntries = 5_000) {}

  get size(): number {
    return this.#entries.size
  }

  /** The entry for `topic` if it is exactly at `epoch` and `seq`; refreshes its LRU position. */
  at(topic: string, epoch: string, seq: number): CachedSnapshot | undefined {
    const entry = this.#entries.get(topic)
    if (entry === undefined || entry.epoch !== epoch || entry.seq !== seq) return undefined
    this.#entries.delete(topic)
    this.#entries.set(topic, entry)
    return entry
  }

  peek(topic: string): CachedSnapshot | undefined {
    return this.#entries.get(topic)
  }

  /**
   * Keeps the newer of the stored and the given entry (two builds can finish out of order). Seqs of different
   * epochs do not compare: the given entry, the one just built, replaces the other.
   */
  put(entry: CachedSnapshot): CachedSnapshot {
    const current = this.#entries.get(entry.topic)
    if (current !== undefined && current.epoch === entry.epoch && current.seq > entry.seq) return current
    this.#entries.delete(entry.topic)
    this.#entries.set(entry.topic, entry)
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
    return entry
  }

  /**
   * One build per topic at a time: concurrent misses share it. A caller that needs at least `seq` of `epoch` and
   * gets an older (or another epoch's) shared result builds again.
   */
  async build(
    topic: string,
    epoch: string,
    seq: number,
    build: () => Promise<CachedSnapshot>,
  ): Promise<CachedSnapshot> {
    const running = this.#inflight.get(topic)
    if (running !== undefined) {
      // a failed shared build (its caller's request broke) is no answer for this caller: build again
      const shared = await running.catch(() => undefined)
      if (shared !== undefined && shared.epoch === epoch && shared.seq >= seq) return shared
    }
    const promise = build().then((entry) => this.put(entry))
    this.#inflight.set(topic, promise)
    try {
      return await promise
    } finally {
      if (this.#inflight.get(topic) === promise) this.#inflight.delete(topic)
    }
  }

  clear(): void {
    this.#entries.clear()
  }
}
