import { type DatabaseMessage, isMessagesRelation, messageFromRow } from './message-row.ts'
import type { PgOutputMessage, Relation } from './pgoutput.ts'

/**
 * The decoded replication stream, turned into the messages to fan out — each once, across reconnects.
 *
 * A reconnect resumes from `resumeLsn`: the end of the last COMMIT received (or a keepalive's position,
 * which Postgres only sends between transactions). Postgres then sends every transaction committed after it
 * whole, including one whose messages were arriving when the stream was cut: those were fanned out already,
 * one by one as they arrived. The ids fanned out since the last COMMIT are kept until the next one, and a
 * resent message whose id is among them is skipped, so delivery is once per message, not at least once.
 */
export class TransactionReader {
  readonly #relations = new Map<number, Relation>()
  /** Ids of `realtime.messages` rows fanned out since the last COMMIT. */
  readonly #sinceCommit = new Set<string>()
  #resumeLsn: bigint | null = null
  #lastCommitMs: number | null = null
  #lagMs: number | null = null
  #messages = 0
  #duplicatesSkipped = 0

  /** Where a reconnect starts (null: wherever the slot is). */
  get resumeLsn(): bigint | null {
    return this.#resumeLsn
  }

  get lastCommitMs(): number | null {
    return this.#lastCommitMs
  }

  /** Commit → fan-out delay of the last transaction. */
  get lagMs(): number | null {
    return this.#lagMs
  }

  get messages(): number {
    return this.#messages
  }

  /** Messages a reconnect sent again that had already been fanned out. */
  get duplicatesSkipped(): number {
    return this.#duplicatesSkipped
  }

  /** A new replication session: the server sends Relation messages again before it uses them. */
  startSession(): void {
    this.#relations.clear()
  }

  /** A new slot: streaming starts wherever it does, and what was cut off will not come again. */
  forgetPosition(): void {
    this.#resumeLsn = null
    this.#sinceCommit.clear()
  }

  /** The server has sent everything before `walEnd`; nothing before it is pending. */
  keepalive(walEnd: bigint): void {
    if (this.#resumeLsn === null || walEnd > this.#resumeLsn) this.#resumeLsn = walEnd
  }

  /** The message to fan out for this pgoutput message, if any. */
  read(message: PgOutputMessage, nowMs: number): DatabaseMessage | null {
    switch (message.tag) {
      case 'relation':
        this.#relations.set(message.relation.id, message.relation)
        return null
      case 'insert': {
        const relation = this.#relations.get(message.relationId)
        if (!relation || !isMessagesRelation(relation)) return null
        const row = messageFromRow(relation, message.values)
        if (!row) return null
        if (this.#sinceCommit.has(row.id)) {
          this.#duplicatesSkipped++
          return null
        }
        this.#sinceCommit.add(row.id)
        this.#messages++
        return row
      }
      case 'commit':
        this.#sinceCommit.clear()
        this.#resumeLsn = message.endLsn
        this.#lagMs = nowMs - message.commitTimeMs
        this.#lastCommitMs = message.commitTimeMs
        return null
      case 'other':
        return null
    }
  }
}
