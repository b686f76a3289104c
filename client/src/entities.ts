import type { EntityType } from '../../contract/payloads.ts'
import type { TopicKind } from '../../contract/topics.ts'

/** A payload row as the store keeps it (the envelope's `seq`/`ts` stripped): any audience's shape. */
export interface Entity {
  type: EntityType
  id: string
  version: number
  [field: string]: unknown
}

/** The rows of one topic, by entity type and id. */
export interface EntityMaps {
  order: Map<string, Entity>
  item: Map<string, Entity>
  table: Map<string, Entity>
}

export function emptyMaps(): EntityMaps {
  return { order: new Map(), item: new Map(), table: new Map() }
}

/** Every entity type, checked by the compiler against the contract's (a record must name each key). */
const ENTITY_TYPES: Record<EntityType, true> = { order: true, item: true, table: true }

export function isEntityType(value: unknown): value is EntityType {
  return typeof value === 'string' && Object.hasOwn(ENTITY_TYPES, value)
}

/**
 * One row's key, `<type>:<id>`: what marks a row pending in a view, the lane that keeps a row's mutations serial,
 * and the version an answer gave a row.
 */
export function rowKey(type: EntityType, id: string): string {
  return `${type}:${id}`
}

/** Strips the envelope from a published message. */
export function entityOf(message: Record<string, unknown>): Entity {
  const { seq: _seq, ts: _ts, ...entity } = message
  return entity as unknown as Entity
}

/** Every row of a snapshot's `data` (each row names its own `type`). */
export function snapshotRows(data: unknown): Entity[] {
  const rows: Entity[] = []
  for (const list of Object.values((data ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue
    for (const row of list) if (row && isEntityType((row as Entity).type)) rows.push(row as Entity)
  }
  return rows
}

/**
 * The same change in every audience's shape: `admin` rows carry the database row under `row`; the others
 * carry a subset of its fields. Only fields the shape already has are set, so an optimistic row never shows a
 * field its audience does not get.
 */
export function withFields(kind: TopicKind, entity: Entity, fields: Record<string, unknown>): Entity {
  if (kind === 'admin') {
    const row = (entity.row ?? {}) as Record<string, unknown>
    return { ...entity, row: { ...row, ...pick(row, fields) } }
  }
  return { ...entity, ...pick(entity, fields) }
}

/** A field of a row in any audience's shape. */
export function fieldOf(kind: TopicKind, entity: Entity, field: string): unknown {
  return kind === 'admin' ? (entity.row as Record<string, unknown> | undefined)?.[field] : entity[field]
}

function pick(shape: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) if (key in shape) picked[key] = value
  return picked
}
