import { EVENT, VSN } from './constants.ts'
import { decodeUserBroadcastPush, encodeUserBroadcast } from './binary.ts'
import {
  type EncodedFrame,
  type Inbound,
  type OutboundMessage,
  ProtocolError,
  type UserBroadcast,
} from './frames.ts'
import { parseJson, toInbound } from './inbound.ts'
import type { Serializer } from './serializer.ts'

/**
 * vsn 2.0.0 (RealtimeWeb.Socket.V2Serializer): text frames are `[join_ref, ref, topic, event, payload]`;
 * binary frames carry user broadcasts (kind 3 in, kind 4 out). realtime-js decodes no other binary kind,
 * and a frame it cannot decode stalls its socket, so everything else stays text.
 */
export const v2Serializer: Serializer = {
  vsn: VSN.v2,

  decode(data: Buffer, isBinary: boolean): Inbound {
    if (isBinary) return decodeUserBroadcastPush(data)
    const message = parseJson(data.toString('utf8'))
    if (!Array.isArray(message) || message.length !== 5) {
      throw new ProtocolError('vsn 2.0.0 text frames are [join_ref, ref, topic, event, payload]')
    }
    const [joinRef, ref, topic, event, payload] = message as [unknown, unknown, unknown, unknown, unknown]
    return toInbound(joinRef, ref, topic, event, payload)
  },

  encode(message: OutboundMessage): EncodedFrame {
    const { joinRef, ref, topic, event, payload } = message
    return { data: Buffer.from(JSON.stringify([joinRef, ref, topic, event, payload])), binary: false }
  },

  encodeUserBroadcast(broadcast: UserBroadcast): EncodedFrame | null {
    const binary = encodeUserBroadcast(broadcast)
    if (binary !== null) return { data: binary, binary: true }
    // Fields too long for kind 4's uint8 sizes: the text form carries the same object.
    if (broadcast.payload.encoding === 'binary') return null
    const meta = broadcast.meta === null ? '' : `,"meta":${broadcast.meta}`
    const head = `[null,null,${JSON.stringify(broadcast.topic)},"${EVENT.broadcast}",` +
      `{"type":"broadcast","event":${JSON.stringify(broadcast.event)}${meta},"payload":`
    return { data: Buffer.concat([Buffer.from(head), broadcast.payload.bytes, V2_TAIL]), binary: false }
  },
}

const V2_TAIL = Buffer.from('}]')
