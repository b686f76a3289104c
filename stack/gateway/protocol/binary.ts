import { BINARY_KIND, MAX_BINARY_FIELD_BYTES, PAYLOAD_ENCODING } from './constants.ts'
import { type InboundBroadcast, ProtocolError, type UserBroadcast } from './frames.ts'
import { parseJson } from './inbound.ts'

/**
 * vsn 2.0.0 binary frames (RealtimeWeb.Socket.V2Serializer; realtime-js `lib/serializer.ts`).
 *
 *   kind 3, client → server: 3, join_ref_size, ref_size, topic_size, user_event_size, metadata_size,
 *                            payload_encoding, join_ref, ref, topic, user_event, metadata, payload
 *   kind 4, server → client: 4, topic_size, user_event_size, metadata_size, payload_encoding,
 *                            topic, user_event, metadata, payload
 *
 * Sizes are uint8; the payload runs to the end of the frame.
 */

const PUSH_HEADER_BYTES = 7

export function decodeUserBroadcastPush(frame: Buffer): InboundBroadcast {
  if (frame.length === 0) throw new ProtocolError('empty binary frame')
  if (frame[0] !== BINARY_KIND.userBroadcastPush) {
    throw new ProtocolError(`unsupported binary frame kind ${frame[0]}`)
  }
  if (frame.length < PUSH_HEADER_BYTES) throw new ProtocolError('truncated kind-3 header')
  const sizes = [frame[1]!, frame[2]!, frame[3]!, frame[4]!, frame[5]!]
  const encoding = frame[6]
  if (encoding !== PAYLOAD_ENCODING.binary && encoding !== PAYLOAD_ENCODING.json) {
    throw new ProtocolError(`unknown payload encoding ${encoding}`)
  }
  let offset = PUSH_HEADER_BYTES
  const fields = sizes.map((size) => {
    const end = offset + size
    if (end > frame.length) throw new ProtocolError('kind-3 field runs past the end of the frame')
    const field = frame.toString('utf8', offset, end)
    offset = end
    return field
  })
  const [joinRef, ref, topic, userEvent, metadata] = fields as [string, string, string, string, string]
  // Metadata only carries `persist` today; it must still be JSON so a bad frame is caught here.
  if (metadata !== '') parseJson(metadata)
  const bytes = frame.subarray(offset)
  // Subscribers JSON.parse this payload in their socket handler, where a throw stalls the socket:
  // never forward JSON that does not parse.
  if (encoding === PAYLOAD_ENCODING.json) parseJson(bytes.toString('utf8'))
  return {
    kind: 'broadcast',
    joinRef: joinRef === '' ? null : joinRef,
    ref: ref === '' ? null : ref,
    topic,
    userEvent,
    payload: { encoding: encoding === PAYLOAD_ENCODING.json ? 'json' : 'binary', bytes },
  }
}

/** Null when topic, event or meta exceed the uint8 size fields; the caller then uses a text frame. */
export function encodeUserBroadcast(broadcast: UserBroadcast): Buffer | null {
  const topic = Buffer.from(broadcast.topic)
  const event = Buffer.from(broadcast.event)
  const meta = Buffer.from(broadcast.meta ?? '')
  if (
    topic.length > MAX_BINARY_FIELD_BYTES ||
    event.length > MAX_BINARY_FIELD_BYTES ||
    meta.length > MAX_BINARY_FIELD_BYTES
  ) {
    return null
  }
  const header = Buffer.from([
    BINARY_KIND.userBroadcast,
    topic.length,
    event.length,
    meta.length,
    broadcast.payload.encoding === 'json' ? PAYLOAD_ENCODING.json : PAYLOAD_ENCODING.binary,
  ])
  return Buffer.concat([header, topic, event, meta, broadcast.payload.bytes])
}
