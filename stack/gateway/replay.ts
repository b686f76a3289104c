import type { Sql } from 'postgres'
import { type Deadline, withDeadline } from './deadline.ts'
import type { RawPayload } from './protocol/frames.ts'

/**
 * Broadcast replay (`config.broadcast.replay = {since, limit}` on a private channel), with Realtime's
 * query (Realtime.Messages.replay): the newest `limit` broadcasts of the topic since `since` (epoch ms),
 * delivered oldest first. Read as the gateway's own role; the join already checked broadcast read.
 */
export interface ReplayedMessage {
  readonly id: string
  readonly event: string
  readonly payload: RawPayload
}

interface Row {
  id: string
  event: string | null
  payload: string | null
  binary_payload: Buffer | null
}

export class ReplayReader {
  readonly #sql: Sql
  readonly #deadline: Deadline

  /** A read that has no answer after `deadline.ms` fails with DeadlineExceeded. */
  constructor(sql: Sql, deadline: Deadline) {
    this.#sql = sql
    this.#deadline = deadline
  }

  async read(subTopic: string, sinceMs: number, limit: number): Promise<ReplayedMessage[]> {
    const rows = await withDeadline(this.#deadline, this.#rows(subTopic, sinceMs, limit))
    return rows.reverse().map((row) => ({
      id: row.id,
      event: row.event ?? '',
      payload: row.binary_payload !== null
        ? { encoding: 'binary', bytes: row.binary_payload }
        : { encoding: 'json', bytes: Buffer.from(row.payload ?? 'null') },
    }))
  }

  #rows(subTopic: string, sinceMs: number, limit: number): Promise<Row[]> {
    // inserted_at is a timestamp without time zone written by now(): compare in the same (session) zone.
    return this.#sql<Row[]>`
      select id, event, payload::text as payload, binary_payload
        from realtime.messages
       where topic = ${subTopic}
         and private is true
         and extension = 'broadcast'
         and inserted_at >= to_timestamp(${sinceMs}::float8 / 1000)::timestamp
         and inserted_at < now()::timestamp + interval '1 minute'
       order by inserted_at desc
       limit ${limit}`
  }
}
