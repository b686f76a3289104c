import type { Clock } from '../../../shared/clock.ts'
import type { ErrorCode } from '../../../contract/errors.ts'
import { ApiError, closedError, MutationError, PlaterError } from '../errors.ts'
import type { RetryEngine } from '../retry.ts'
import type { EntityType } from '../../../contract/payloads.ts'
import { rowKey } from '../entities.ts'
import {
  answeredRows,
  type MutationArgs,
  type MutationName,
  type MutationResult,
  MUTATIONS,
  requestOf,
  type SpecContext,
} from './specs.ts'

/** Where the queue keeps unanswered mutations across reloads (localStorage's shape; may be async). */
export interface QueueStorage {
  getItem(key: string): string | null | Promise<string | null>
  setItem(key: string, value: string): void | Promise<void>
  removeItem(key: string): void | Promise<void>
}

export type PendingState = 'queued' | 'sending' | 'answered'

/** A mutation shown in the views until the topics carry its effect (or until it is refused). */
export interface PendingMutation {
  /** Also its Idempotency-Key. */
  readonly id: string
  readonly name: MutationName
  readonly args: MutationArgs[MutationName]
  readonly tempIds: string[]
  readonly lanes: string[]
  /** The version of the row it acts on when it was made (what the user saw), if the route takes one. */
  readonly baseVersion: number | null
  /** Order of creation: an answer's versions count for the mutations made after it. */
  readonly serial: number
  state: PendingState
  result: MutationResult | null
}

interface Entry extends PendingMutation {
  /** Earlier mutations on the same row: if one of them is refused, this one acted on a state that never was. */
  dependsOn: Set<string>
  /** When an answered mutation stops being shown anyway (its echo never came; the topic is then resynced). */
  settleBy: number
  settle?: { resolve(result: MutationResult): void; reject(error: Error): void }
}

export interface QueueHost {
  clock: Clock
  /** The client's retry engine (its policy: how often, how many tries for 5xx/429/token failures). */
  retry: RetryEngine
  /** How long an answered mutation stays pending waiting for its broadcast, ms. */
  settleTimeoutMs: number
  send(path: string, body: object, idempotencyKey: string): Promise<MutationResult>
  context(): SpecContext
  /** The newest confirmed version any open topic holds of a row. */
  versionOf(type: EntityType, id: string): number | undefined
  /** Every open topic shows the mutation's answer (overlay.ts `echoedIn`). */
  echoed(mutation: PendingMutation): boolean
  /** The pending set changed: views must be rebuilt. */
  changed(): void
  /** A mutation was refused and taken out of the views. */
  rolledBack(entry: PendingMutation, error: MutationError): void
  /** An answered mutation's echo never came: the topics holding these rows must catch up. */
  stale(rows: { type: EntityType; id: string }[]): void
  newId(): string
  storage: QueueStorage | null
}

type Persisted = Pick<PendingMutation, 'id' | 'name' | 'args' | 'tempIds' | 'baseVersion'>

/**
 * Optimistic mutations: shown at once, sent with an Idempotency-Key and the version the user acted on, one at a
 * time per lane (row), retried with backoff while nothing was decided (no network, 5xx, key in flight), and
 * kept pending after the answer until the topics carry the change, so a view never flickers back. A refusal
 * takes the mutation (and those that built on it) out; views are then rebuilt from the confirmed rows plus the
 * mutations still pending (a rebase: changes other people made meanwhile stay).
 */
export class MutationQueue {
  #entries: Entry[] = []
  #serial = 0
  /** Versions answers gave rows: [version, id of the mutation that got it]. */
  #answered = new Map<string, [number, string]>()
  #realIds = new Map<string, string>()
  #settleTimer: unknown = null
  #closed = false
  #storageKey: string | null = null
  readonly #host: QueueHost

  constructor(host: QueueHost) {
    this.#host = host
  }

  get pending(): readonly PendingMutation[] {
    return this.#entries
  }

  /** The real id of a row this client made up an id for, once the server answered (else the id itself). */
  resolveId(id: string): string {
    return this.#realIds.get(id) ?? id
  }

  run<N extends MutationName>(name: N, args: MutationArgs[N]): Promise<MutationResult> {
    if (this.#closed) return Promise.reject(closedError())
    return new Promise((resolve, reject) => {
      const entry = this.#enqueue(name, args, this.#host.newId(), null)
      entry.settle = { resolve, reject }
      this.#persist()
      this.#host.changed()
      this.#pump()
    })
  }

  /**
   * Keeps unanswered mutations under `storageKey` (one per user) from now on, and takes back those an earlier
   * page load left there: shown and sent again with the same Idempotency-Keys.
   */
  async restore(storageKey: string): Promise<void> {
    const storage = this.#host.storage
    if (!storage) return
    this.#storageKey = storageKey
    let saved: Persisted[] = []
    try {
      saved = JSON.parse((await storage.getItem(storageKey)) ?? '[]') as Persisted[]
    } catch {
      return // unreadable: nothing to restore
    }
    // they were made before anything of this page load: they go first, and hold up later ones on their rows
    const newer = this.#entries
    this.#entries = []
    let serial = -saved.length
    for (const item of saved) {
      if (!(item.name in MUTATIONS) || newer.some((entry) => entry.id === item.id)) continue
      this.#enqueue(item.name, item.args, item.id, item, serial++)
    }
    this.#entries.push(...newer)
    this.#persist()
    if (saved.length > 0) {
      this.#host.changed()
      this.#pump()
    }
  }

  /** Topics changed: answered mutations whose changes every topic now shows stop being pending. */
  reconcile(): void {
    const before = this.#entries.length
    this.#entries = this.#entries.filter((entry) => entry.state !== 'answered' || !this.#echoed(entry))
    if (this.#entries.length !== before) this.#host.changed()
  }

  /**
   * The client closes: every mutation not yet answered is rejected with `client_closed` (no promise is left
   * hanging). The offline queue in `storage` keeps them: the next client of this user sends them again.
   */
  close(): void {
    this.#closed = true
    if (this.#settleTimer !== null) this.#host.clock.clearTimeout(this.#settleTimer)
    const kept = this.#storageKey !== null && this.#host.storage !== null
    const error = new MutationError(
      'client_closed' satisfies ErrorCode,
      kept
        ? 'the client was closed before the server answered; the change stays in the offline queue and is sent again by the next client of this user'
        : 'the client was closed before the server answered; the change was not sent (or its answer was not heard)',
      0,
    )
    const unanswered = this.#entries.filter((entry) => entry.state !== 'answered')
    this.#entries = []
    for (const entry of unanswered) entry.settle?.reject(error)
  }

  #enqueue(
    name: MutationName,
    args: MutationArgs[MutationName],
    id: string,
    saved: Persisted | null,
    serial = this.#serial++,
  ): Entry {
    const spec = MUTATIONS[name] as (typeof MUTATIONS)[MutationName] & { creates?(a: unknown): number }
    const ctx = this.#host.context()
    const tempIds = saved?.tempIds ??
      Array.from({ length: spec.creates?.(args as never) ?? 0 }, () => this.#host.newId())
    const lanes = spec.lanes(args as never, ctx, tempIds)
    const target = spec.versioned?.(args as never, ctx) ?? null
    const baseVersion = saved
      ? saved.baseVersion
      : target
      ? this.#host.versionOf(target.type, target.id) ?? null
      : null
    const dependsOn = new Set<string>()
    if (target) {
      for (const earlier of this.#entries) {
        if (earlier.state !== 'answered' && earlier.lanes.includes(rowKey(target.type, target.id))) {
          dependsOn.add(earlier.id)
        }
      }
    }
    const entry: Entry = {
      id,
      name,
      args,
      tempIds,
      lanes,
      baseVersion,
      serial,
      state: 'queued',
      result: null,
      dependsOn,
      settleBy: Infinity,
    }
    this.#entries.push(entry)
    return entry
  }

  /** Starts every queued mutation that no earlier unanswered one shares a lane with. */
  #pump(): void {
    const busy = new Set<string>()
    for (const entry of this.#entries) {
      if (entry.state === 'answered') continue
      const free = entry.lanes.every((lane) => !busy.has(lane))
      for (const lane of entry.lanes) busy.add(lane)
      if (free && entry.state === 'queued') void this.#send(entry)
    }
  }

  /** Sends on the retry engine (same Idempotency-Key every try) until answered or refused. */
  async #send(entry: Entry): Promise<void> {
    entry.state = 'sending'
    const spec = MUTATIONS[entry.name] as (typeof MUTATIONS)[MutationName]
    let result: MutationResult
    try {
      result = await this.#host.retry.run(() => {
        const ctx = this.#host.context()
        const { path, body } = requestOf(entry.name, entry.args, ctx)
        const target = spec.versioned?.(entry.args as never, ctx) ?? null
        const expected = target ? this.#expectedVersion(entry, rowKey(target.type, target.id)) : null
        return this.#host.send(
          path,
          expected === null ? body : { ...body, expected_version: expected },
          entry.id,
        )
      }, { stopped: () => this.#closed })
    } catch (error) {
      if (!this.#closed) this.#refuse(entry, asMutationError(error))
      return
    }
    if (!this.#closed) this.#answer(entry, result ?? {})
  }

  /**
   * The version the user saw: if this mutation was made on top of an earlier one on the row (still pending
   * then), that one's answer; else the confirmed version when it was made.
   */
  #expectedVersion(entry: Entry, key: string): number | null {
    const answered = this.#answered.get(key)
    if (answered && entry.dependsOn.has(answered[1])) return answered[0]
    return entry.baseVersion
  }

  #answer(entry: Entry, result: MutationResult): void {
    entry.state = 'answered'
    entry.result = result
    entry.settleBy = this.#host.clock.now() + this.#host.settleTimeoutMs
    for (const row of answeredRows(result)) {
      this.#answered.set(rowKey(row.type, row.id), [row.version, entry.id])
    }
    const spec = MUTATIONS[entry.name] as (typeof MUTATIONS)[MutationName]
    for (const [temp, real] of spec.realIds?.(entry.args as never, entry.tempIds, result) ?? []) {
      this.#realIds.set(temp, real)
    }
    entry.settle?.resolve(result)
    this.#persist()
    this.#scheduleSettle()
    this.reconcile()
    this.#host.changed()
    this.#pump()
  }

  #refuse(entry: Entry, error: MutationError): void {
    const refused = new Map<string, Entry>([[entry.id, entry]])
    // mutations that built on a refused one acted on a state that never existed: they go too, unsent
    for (const other of this.#entries) {
      if (other.state === 'queued' && [...other.dependsOn].some((id) => refused.has(id))) {
        refused.set(other.id, other)
      }
    }
    this.#entries = this.#entries.filter((other) => !refused.has(other.id))
    for (const gone of refused.values()) {
      const reason = gone === entry ? error : new MutationError(
        'dependency_rejected' satisfies ErrorCode,
        `not sent: an earlier change to the same row was refused (${error.code})`,
        0,
        {
          refused: entry.id,
          code: error.code,
        },
      )
      this.#host.rolledBack(gone, reason)
      gone.settle?.reject(reason)
    }
    this.#persist()
    this.#host.changed()
    this.#pump()
  }

  #echoed(entry: Entry): boolean {
    if (this.#host.clock.now() >= entry.settleBy) {
      this.#host.stale(answeredRows(entry.result))
      return true
    }
    return this.#host.echoed(entry)
  }

  #scheduleSettle(): void {
    if (this.#settleTimer !== null) this.#host.clock.clearTimeout(this.#settleTimer)
    const next = Math.min(...this.#entries.filter((e) => e.state === 'answered').map((e) => e.settleBy))
    if (!Number.isFinite(next)) return
    this.#settleTimer = this.#host.clock.setTimeout(() => {
      this.#settleTimer = null
      this.reconcile()
      this.#scheduleSettle()
    }, Math.max(0, next - this.#host.clock.now()))
  }

  #persist(): void {
    const storage = this.#host.storage
    const key = this.#storageKey
    // once closed, storage keeps what was unanswered for the next client
    if (!storage || !key || this.#closed) return
    const unanswered: Persisted[] = this.#entries
      .filter((entry) => entry.state !== 'answered')
      .map(({ id, name, args, tempIds, baseVersion }) => ({ id, name, args, tempIds, baseVersion }))
    try {
      void Promise.resolve(
        unanswered.length === 0 ? storage.removeItem(key) : storage.setItem(key, JSON.stringify(unanswered)),
      ).catch(() => {})
    } catch {
      // storage full or forbidden: the queue still works for this page's lifetime
    }
  }
}

function asMutationError(error: unknown): MutationError {
  if (error instanceof MutationError) return error
  if (error instanceof ApiError) {
    return new MutationError(error.code, error.message, error.status, error.details, error.retryAfterMs)
  }
  if (error instanceof PlaterError) {
    return new MutationError(error.code, error.message, error.status, error.details)
  }
  return new MutationError('client_error' satisfies ErrorCode, (error as Error)?.message ?? String(error), 0)
}
