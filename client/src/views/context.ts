import type { EntityType } from '../../../contract/payloads.ts'
import type { OrderStatus } from '../../../contract/status.ts'
import { type EntityMaps, rowKey } from '../entities.ts'

/** What a view is derived from: the rows (confirmed ⊕ pending mutations) and which of them are pending. */
export interface ViewInput {
  rows: EntityMaps
  /** `rowKey`s of rows an unconfirmed mutation changed or created. */
  pending: ReadonlySet<string>
  /** The topic's third part (kds: the station, server: the staff member), if any. */
  scopeId: string | null
  now: number
}

export type WithPending<T> = T & { pending: boolean }

/** Orders not yet closed nor cancelled: what server and admin snapshots keep. */
export const OPEN_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(['open', 'ready', 'served'])

export function isPending(input: ViewInput, type: EntityType, id: string): boolean {
  return input.pending.has(rowKey(type, id))
}

export function rowsOf<T>(input: ViewInput, type: EntityType): WithPending<T>[] {
  const list: WithPending<T>[] = []
  for (const row of input.rows[type].values()) {
    list.push({ ...(row as unknown as T), pending: isPending(input, type, row.id) })
  }
  return list
}

/** Postgres timestamps as epoch ms (null stays null). */
export function millis(timestamp: string | null | undefined): number | null {
  if (!timestamp) return null
  const ms = Date.parse(timestamp)
  return Number.isNaN(ms) ? null : ms
}

export function byCreated<T extends { created_at: string; id: string }>(a: T, b: T): number {
  return a.created_at < b.created_at
    ? -1
    : a.created_at > b.created_at
    ? 1
    : a.id < b.id
    ? -1
    : a.id > b.id
    ? 1
    : 0
}

export function groupBy<T, K>(list: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of list) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}
