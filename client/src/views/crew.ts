import type { PresenceMeta } from '../crew-schema.ts'

// What the crew scope (crew.ts) shows: who is on the restaurant's crew topic, and what staff sent there.

export interface CrewMessage {
  event: string
  /** Checked against the event's schema (crew-schema.ts); broadcasts that fail it never reach the view. */
  payload: Record<string, unknown>
  /** Client time of receipt, epoch ms. */
  receivedAt: number
}

export interface CrewMember {
  /**
   * The presence key the member's client joined with (this client joins with its session's `user_id`). The
   * server does not bind it to the token: resolve who it is from staff rows, never from the metas.
   */
  key: string
  /** What each of that user's connections tracked (one per open console), each checked against its schema. */
  metas: PresenceMeta[]
}

export interface CrewView {
  /** Everyone tracking presence on the restaurant's crew topic now. */
  members: CrewMember[]
  /** The latest broadcasts staff sent (at most 100, oldest first). */
  messages: CrewMessage[]
}
