/**
 * Names and numbers of the Phoenix channel protocol as Supabase Realtime speaks it.
 * Values are the wire strings; `as const` keeps them literal types.
 */

export const VSN = { v1: '1.0.0', v2: '2.0.0' } as const
export type Vsn = (typeof VSN)[keyof typeof VSN]

/** Supabase (and Phoenix) fall back to 1.0.0 when the client sends no `vsn`. */
export const DEFAULT_VSN: Vsn = VSN.v1

export const EVENT = {
  join: 'phx_join',
  leave: 'phx_leave',
  reply: 'phx_reply',
  close: 'phx_close',
  heartbeat: 'heartbeat',
  accessToken: 'access_token',
  broadcast: 'broadcast',
  presence: 'presence',
  presenceState: 'presence_state',
  presenceDiff: 'presence_diff',
  system: 'system',
} as const

/** Heartbeats travel on this topic; it is never joined. */
export const PHOENIX_TOPIC = 'phoenix'

/** Every Realtime channel topic is `realtime:<sub-topic>`; the database only ever sees the sub-topic. */
export const TOPIC_PREFIX = 'realtime:'

/** First byte of a vsn 2.0.0 binary frame. Only these two kinds exist between realtime-js and Realtime. */
export const BINARY_KIND = { userBroadcastPush: 3, userBroadcast: 4 } as const

export const PAYLOAD_ENCODING = { binary: 0, json: 1 } as const

/** Binary header fields are uint8 lengths. */
export const MAX_BINARY_FIELD_BYTES = 255

/**
 * Deepest JSON a client may send, counted over the whole frame or request body (a vsn 2.0.0 frame's user
 * payload starts at level 3). Real payloads nest a handful of levels; deeper ones are refused, never parsed on.
 */
export const MAX_JSON_DEPTH = 64
