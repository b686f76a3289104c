import type { Clock } from '../../shared/clock.ts'
import type { HealthStatus, Status } from './status.ts'
import type { StoreMetrics } from './store.ts'

export interface ScopeHealth {
  topic: string
  /** The scope's status: the same words and rules as `Health.status` (status.ts). */
  status: Status
  seq: number
}

export interface Health {
  /** `live` only once every open scope is joined (or polled) and healed; status.ts has the rules. */
  status: HealthStatus
  /** Delivery latency of live broadcasts (client receive time − envelope `ts`), over the last 1 024. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null }
  /** Live broadcasts received per second, over the last 10 s. */
  messagesPerSecond: number
  /** Channels joined again after losing their connection. */
  reconnects: number
  /** Gaps (and reconnects, wake-ups, resets) closed by catch-up or a snapshot. */
  gapsHealed: number
  /** Topics that started over in a new epoch (`plater reset`, a restore) and were reloaded. */
  resets: number
  /** Presence entries and crew broadcasts dropped because they did not match their schema (crew.ts). */
  crewRejected: number
  /** Scopes served from data held (a 304 or a warm store) over all loads; null before the first. */
  cacheHitRate: number | null
  /** Duplicate or stale messages dropped. */
  duplicatesDropped: number
  /** Optimistic mutations the server refused (their change was taken out of the views). */
  rollbacks: number
  pendingMutations: number
  scopes: ScopeHealth[]
}

const SAMPLES = 1024
const RATE_WINDOW_S = 10

/** The counters behind `plater.health.get()`. */
export class HealthMetrics implements StoreMetrics {
  reconnects = 0
  gapsHealed = 0
  duplicates = 0
  rollbacks = 0
  resets = 0
  crewRejected = 0
  #hits = 0
  #loads = 0
  #latencies = new Float64Array(SAMPLES)
  #latencyCount = 0
  #buckets = new Array<number>(RATE_WINDOW_S).fill(0)
  #bucketSecond = 0
  readonly #clock: Clock
  readonly #changed: () => void

  constructor(
    clock: Clock,
    changed: () => void,
  ) {
    this.#clock = clock
    this.#changed = changed
  }

  received(ts: number): void {
    const now = this.#clock.now()
    this.#latencies[this.#latencyCount++ % SAMPLES] = Math.max(0, now - ts)
    this.#bucket(now)
    this.#buckets[Math.floor(now / 1000) % RATE_WINDOW_S]!++
  }

  duplicate(): void {
    this.duplicates++
  }

  gapHealed(): void {
    this.gapsHealed++
    this.#changed()
  }

  snapshot(hit: boolean): void {
    this.#loads++
    if (hit) this.#hits++
    this.#changed()
  }

  /** A released scope opened again while its data was still held. */
  reused(): void {
    this.#loads++
    this.#hits++
    this.#changed()
  }

  epochChanged(): void {
    this.resets++
    this.#changed()
  }

  /** Untrusted crew input (presence metas, broadcasts) that did not match its schema. */
  rejected(count: number): void {
    if (count === 0) return
    this.crewRejected += count
    this.#changed()
  }

  reconnected(): void {
    this.reconnects++
    this.#changed()
  }

  rolledBack(): void {
    this.rollbacks++
    this.#changed()
  }

  latency(): Health['latencyMs'] {
    const n = Math.min(this.#latencyCount, SAMPLES)
    if (n === 0) return { p50: null, p95: null, p99: null }
    const sorted = Array.from(this.#latencies.subarray(0, n)).sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) }
  }

  messagesPerSecond(): number {
    this.#bucket(this.#clock.now())
    return this.#buckets.reduce((sum, count) => sum + count, 0) / RATE_WINDOW_S
  }

  cacheHitRate(): number | null {
    return this.#loads === 0 ? null : this.#hits / this.#loads
  }

  #bucket(now: number): void {
    const second = Math.floor(now / 1000)
    const elapsed = Math.min(second - this.#bucketSecond, RATE_WINDOW_S)
    for (let s = 1; s <= elapsed; s++) this.#buckets[(this.#bucketSecond + s) % RATE_WINDOW_S] = 0
    if (second > this.#bucketSecond) this.#bucketSecond = second
  }
}
