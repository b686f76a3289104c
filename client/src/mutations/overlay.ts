import type { EntityType } from '../../../contract/payloads.ts'
import type { TopicKind } from '../../../contract/topics.ts'
import { type EntityMaps, rowKey } from '../entities.ts'
import type { PendingMutation } from './queue.ts'
import { answeredRows, type MutationName, MUTATIONS, type SpecContext } from './specs.ts'

export interface Overlaid {
  rows: EntityMaps
  pending: Set<string>
}

/**
 * confirmed ⊕ pending: the topic's confirmed rows with every pending mutation's change applied on top, in the
 * order they were made. Rebuilt from the confirmed rows each time, so a refused mutation simply disappears and
 * what others changed meanwhile stays. An answered mutation no longer applies where the topic already shows
 * its answer's versions.
 */
export function overlay(
  confirmed: EntityMaps,
  kind: TopicKind,
  scopeId: string | null,
  mutations: readonly PendingMutation[],
  ctx: SpecContext,
): Overlaid {
  const pending = new Set<string>()
  if (mutations.length === 0) return { rows: confirmed, pending }
  const rows: EntityMaps = {
    order: new Map(confirmed.order),
    item: new Map(confirmed.item),
    table: new Map(confirmed.table),
  }
  for (const mutation of mutations) {
    if (mutation.state === 'answered' && echoedIn(kind, confirmed, mutation)) continue
    const spec = MUTATIONS[mutation.name as MutationName]
    spec.apply({
      args: mutation.args as never,
      kind,
      scopeId,
      rows,
      ctx,
      tempIds: mutation.tempIds,
      result: mutation.result,
      touch: (type: EntityType, id: string) => pending.add(rowKey(type, id)),
    })
  }
  return { rows, pending }
}

/**
 * This topic shows the answer: it holds every row the answer changed at its version or newer. Rows it does not
 * hold count as shown, except rows the mutation created where the topic is one that shows them (server, admin).
 */
export function echoedIn(kind: TopicKind, confirmed: EntityMaps, mutation: PendingMutation): boolean {
  const created = kind === 'server' || kind === 'admin' ? createdIds(mutation) : new Set<string>()
  return answeredRows(mutation.result).every((row) => {
    const held = confirmed[row.type].get(row.id)
    return held ? held.version >= row.version : !created.has(row.id)
  })
}

function createdIds(mutation: PendingMutation): Set<string> {
  if (mutation.name !== 'placeOrder' && mutation.name !== 'addItems') return new Set()
  const result = mutation.result as { order?: { id?: string }; items?: { id?: string }[] } | null
  const ids = new Set<string>()
  if (mutation.name === 'placeOrder' && result?.order?.id) ids.add(result.order.id)
  for (const item of result?.items ?? []) if (item.id) ids.add(item.id)
  return ids
}
