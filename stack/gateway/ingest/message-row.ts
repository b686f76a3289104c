import type { RawPayload } from '../protocol/frames.ts'
import type { Relation } from './pgoutput.ts'

/** A committed `realtime.messages` row, as fan-out needs it. */
export interface DatabaseMessage {
  readonly id: string
  /** Sub-topic, as `realtime.send` got it (no `realtime:` prefix). */
  readonly topic: string
  readonly event: string
  readonly private: boolean
  readonly payload: RawPayload
}

/**
 * Realtime streams partitions, not the parent (the publication has no publish_via_partition_root), so
 * a relation is ours when it is `realtime.messages` or one of its `messages_YYYY_MM_DD` partitions.
 */
export function isMessagesRelation(relation: Relation): boolean {
  return relation.schema === 'realtime' &&
    (relation.name === 'messages' || relation.name.startsWith('messages_'))
}

/**
 * Like Realtime's ReplicationConnection: a row needs `id`, `topic` and `event`; `binary_payload` wins over
 * `payload`. jsonb arrives as its JSON text and is forwarded as-is, never parsed.
 */
export function messageFromRow(
  relation: Relation,
  values: readonly (Buffer | null)[],
): DatabaseMessage | null {
  const column = (name: string): Buffer | null => {
    const index = relation.columns.findIndex((c) => c.name === name)
    return index < 0 ? null : (values[index] ?? null)
  }
  const id = column('id')
  const topic = column('topic')
  const event = column('event')
  if (id === null || topic === null || event === null) return null
  const binary = column('binary_payload')
  const payload: RawPayload = binary !== null
    ? { encoding: 'binary', bytes: Buffer.from(binary.toString('latin1').slice(2), 'hex') } // bytea text: \x…
    : { encoding: 'json', bytes: column('payload') ?? NULL_JSON }
  return {
    id: id.toString('utf8'),
    topic: topic.toString('utf8'),
    event: event.toString('utf8'),
    private: column('private')?.toString('latin1') === 't',
    payload,
  }
}

const NULL_JSON = Buffer.from('null')
