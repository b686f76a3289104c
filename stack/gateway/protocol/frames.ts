/** The shapes the serializers translate between: what clients send, and what the gateway writes. */

/** A client frame after decoding, whichever serializer carried it. */
export interface InboundMessage {
  readonly kind: 'message'
  readonly joinRef: string | null
  readonly ref: string | null
  readonly topic: string
  readonly event: string
  readonly payload: unknown
}

/**
 * A payload the gateway forwards without looking inside: JSON text or opaque bytes, exactly as the
 * sender (a client, an HTTP caller or `realtime.messages`) produced it. Never re-serialised on fan-out.
 */
export interface RawPayload {
  readonly encoding: 'json' | 'binary'
  readonly bytes: Buffer
}

/**
 * A client `broadcast` push, normalised: vsn 1.0.0 JSON objects, vsn 2.0.0 text arrays and binary
 * kind-3 frames all become this one shape, so the channel code has a single broadcast path.
 */
export interface InboundBroadcast {
  readonly kind: 'broadcast'
  readonly joinRef: string | null
  readonly ref: string | null
  readonly topic: string
  readonly userEvent: string
  readonly payload: RawPayload
}

export type Inbound = InboundMessage | InboundBroadcast

/** A frame the gateway writes that is addressed to one socket: replies and channel pushes. */
export interface OutboundMessage {
  readonly joinRef: string | null
  readonly ref: string | null
  readonly topic: string
  readonly event: string
  readonly payload: unknown
}

/** One user broadcast on its way to subscribers: encoded once per serializer, shared by all of them. */
export interface UserBroadcast {
  /** Full channel topic, `realtime:<sub-topic>`. */
  readonly topic: string
  readonly event: string
  readonly payload: RawPayload
  /** JSON text of `meta` (e.g. `{"id":"<uuid>"}`), or null for no `meta` key. */
  readonly meta: string | null
}

/** Bytes ready for the WebSocket, plus the opcode they need. */
export interface EncodedFrame {
  readonly data: Buffer
  readonly binary: boolean
}

/** A frame the client sent that cannot be understood. The session logs and drops it. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
  }
}
