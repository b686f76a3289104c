import { EVENT, VSN } from './constants.ts'
import {
  type EncodedFrame,
  type Inbound,
  type OutboundMessage,
  ProtocolError,
  type UserBroadcast,
} from './frames.ts'
import { isRecord, parseJson, toInbound } from './inbound.ts'
import type { Serializer } from './serializer.ts'

/**
 * vsn 1.0.0 (Phoenix.Socket.V1.JSONSerializer): text frames holding JSON objects.
 * Clients send `{topic, event, payload, ref, join_ref?}`; the server answers `{topic, event, payload, ref}`
 * and never includes `join_ref` (Phoenix's V1 encoder drops it).
 */
export const v1Serializer: Serializer = {
  vsn: VSN.v1,

  decode(data: Buffer, isBinary: boolean): Inbound {
    if (isBinary) throw new ProtocolError('binary frames need vsn 2.0.0')
    const message = parseJson(data.toString('utf8'))
    if (!isRecord(message)) throw new ProtocolError('vsn 1.0.0 frames are JSON objects')
    return toInbound(message.join_ref, message.ref, message.topic, message.event, message.payload)
  },

  encode(message: OutboundMessage): EncodedFrame {
    const { topic, event, payload, ref } = message
    return { data: Buffer.from(JSON.stringify({ topic, event, payload, ref })), binary: false }
  },

  encodeUserBroadcast(broadcast: UserBroadcast): EncodedFrame | null {
    // A JSON-only format cannot carry bytes; Supabase drops binary broadcasts for V1 sockets too.
    if (broadcast.payload.encoding === 'binary') return null
    const meta = broadcast.meta === null ? '' : `,"meta":${broadcast.meta}`
    const head = `{"topic":${JSON.stringify(broadcast.topic)},"event":"${EVENT.broadcast}",` +
      `"payload":{"type":"broadcast","event":${JSON.stringify(broadcast.event)}${meta},"payload":`
    return { data: Buffer.concat([Buffer.from(head), broadcast.payload.bytes, V1_TAIL]), binary: false }
  },
}

const V1_TAIL = Buffer.from('},"ref":null}')
