import { CoalescedListeners } from './coalescer.ts'
import { crewPayload, type PresenceMeta, presenceMeta } from './crew-schema.ts'
import type { ErrorCode } from '../../contract/errors.ts'
import { joinRefused, ScopeAccessError } from './errors.ts'
import type { HealthMetrics } from './health.ts'
import type { LinkChannel, LinkStatus } from './link.ts'
import {
  type PooledScope,
  type ScopeBatch,
  type ScopeDeps,
  scopeSession,
  type ScopeStatus,
} from './topic-scope.ts'
import type { Session } from '../../contract/payloads.ts'
import { buildTopic } from '../../contract/topics.ts'
import type { CrewMember, CrewMessage, CrewView } from './views/crew.ts'
import { scopeStatus } from './status.ts'

const KEPT_MESSAGES = 100

/**
 * The restaurant's `crew` topic: staff-to-staff broadcasts and presence on the client's one socket. It has no
 * log (client broadcasts are not published by the database), so there is nothing to catch up: what was sent
 * while the channel was down is gone, and presence is re-announced after every rejoin.
 */
export class CrewScope implements PooledScope {
  readonly kind = 'crew' as const
  readonly store = null
  refs = 0
  topic: string | null = null
  error: Error | null = null
  #channel: LinkChannel | null = null
  #joined = false
  #everJoined = false
  #members: CrewMember[] = []
  #messages: CrewMessage[] = []
  #tracked: Record<string, unknown> | null = null
  #view: CrewView | null = null
  readonly #listeners: CoalescedListeners<true, ScopeBatch>
  #ready: Promise<void>
  #settleReady!: { resolve(): void; reject(error: Error): void }
  #disposed = false
  #session: Session | null = null
  /** Presence refs of the metas rejected in the last sync (so each bad entry is counted once). */
  #rejectedRefs = new Set<unknown>()
  readonly #deps: ScopeDeps & { metrics: HealthMetrics }

  constructor(
    readonly id: string,
    deps: ScopeDeps & { metrics: HealthMetrics },
  ) {
    this.#deps = deps
    this.#listeners = new CoalescedListeners<true, ScopeBatch>(
      deps.clock,
      deps.options.coalesceMs,
      deps.options.coalesceMaxWaitMs,
      () => ({ reset: true, changes: [] }),
    )
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = { resolve, reject }
    })
    this.#ready.catch(() => {})
  }

  get ready(): Promise<void> {
    return this.#ready
  }

  get holdsChannel(): boolean {
    return this.refs > 0
  }

  /** No log behind it: joined is live; it never polls. */
  get status(): ScopeStatus {
    return scopeStatus(
      {
        refused: this.error !== null,
        loaded: this.#everJoined,
        joined: this.#joined,
        polling: false,
        healed: true,
      },
      this.#deps.offline(),
    )
  }

  acquire(): void {
    this.refs++
    if (this.refs === 1) void this.#join()
  }

  release(): void {
    if (this.refs === 0) return
    this.refs--
    if (this.refs === 0) this.dispose() // nothing worth keeping: no log to resume from
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    this.#channel?.leave()
    this.#channel = null
    this.#listeners.close()
    this.#deps.disposed(this)
  }

  subscribe(listener: (batch: ScopeBatch) => void): () => void {
    return this.#listeners.subscribe(listener)
  }

  view(): CrewView {
    this.#view ??= { members: this.#members, messages: this.#messages }
    return this.#view
  }

  invalidate(): void {}

  statusChanged(): void {
    this.#changed()
  }

  resync(): void {}

  /** Broadcasts to every other staff member on the crew topic. */
  async send(event: string, payload: Record<string, unknown>): Promise<void> {
    if (!this.#channel) {
      throw new ScopeAccessError('not_joined' satisfies ErrorCode, 'the crew scope is not open')
    }
    await this.#channel.send(event, payload)
  }

  /** This client's presence (`null` leaves); said again after every reconnect. Supabase allows 5 calls per 30 s. */
  async track(meta: Record<string, unknown> | null): Promise<void> {
    this.#tracked = meta
    await this.#channel?.track(meta)
  }

  async #join(): Promise<void> {
    const session = await scopeSession(this.#deps, () => this.#disposed, (error) => this.#fail(error))
    if (!session) return
    this.#session = session
    this.topic = buildTopic({ kind: 'crew', restaurant: this.#session.restaurant.id })
    this.#channel = this.#deps.link.join(
      this.topic,
      {
        message: (event, payload) => {
          const checked = crewPayload(event, payload)
          if (!checked) {
            this.#deps.metrics.rejected(1)
            return
          }
          this.#messages = [...this.#messages.slice(-(KEPT_MESSAGES - 1)), {
            event,
            payload: checked,
            receivedAt: this.#deps.clock.now(),
          }]
          this.#changed()
        },
        presence: (state) => {
          this.#members = this.#checkedMembers(state)
          this.#changed()
        },
        status: (status, reason) => this.#linkStatus(status, reason),
      },
      { presenceKey: this.#session.user_id },
    )
    if (this.#tracked) await this.#channel.track(this.#tracked)
  }

  /**
   * Presence as untrusted input: metas that fail their schema are dropped, and members left with none. Only
   * entries not seen before are counted (a sync repeats the whole state).
   */
  #checkedMembers(state: Record<string, unknown>): CrewMember[] {
    const members: CrewMember[] = []
    const rejected = new Set<unknown>()
    for (const [key, metas] of Object.entries(state)) {
      const kept: PresenceMeta[] = []
      for (const meta of Array.isArray(metas) ? metas : [metas]) {
        const checked = presenceMeta(meta)
        if (checked) kept.push(checked)
        else rejected.add(presenceRef(meta) ?? meta)
      }
      if (kept.length > 0) members.push({ key, metas: kept })
    }
    let fresh = 0
    for (const ref of rejected) if (!this.#rejectedRefs.has(ref)) fresh++
    this.#rejectedRefs = rejected
    this.#deps.metrics.rejected(fresh)
    return members.sort((a, b) => a.key.localeCompare(b.key))
  }

  #linkStatus(status: LinkStatus, reason?: string): void {
    if (status === 'refused') {
      this.#channel = null
      this.#fail(joinRefused(reason))
      return
    }
    if (status === 'joined' && this.#everJoined && !this.#joined) this.#deps.metrics.reconnected()
    this.#joined = status === 'joined'
    this.#everJoined ||= this.#joined
    if (this.#joined) this.#settleReady.resolve()
    this.#changed()
  }

  #fail(error: Error): void {
    this.error = error
    this.#settleReady.reject(error)
    this.#changed()
  }

  #changed(): void {
    if (this.#disposed) return
    this.#view = null
    this.#deps.changed(this, false)
    this.#listeners.push(true)
  }
}

function presenceRef(meta: unknown): string | undefined {
  const ref = (meta as { presence_ref?: unknown } | null)?.presence_ref
  return typeof ref === 'string' ? ref : undefined
}
