import { encodeUserBroadcast } from '../gateway/protocol/binary.ts'
import { wireBytes } from '../gateway/transport/ws-frame.ts'

/**
 * The bytes the gateway writes to a socket for one vsn 2.0.0 broadcast of a JSON payload — the kind-4 binary
 * frame with `meta`, WebSocket framing included — built by the gateway's own encoders. The load harness's bare
 * `ws` baseline writes exactly these, so it is held to the gateway's wire format, not a cheaper one.
 */
export function broadcastWireBytes(topic: string, event: string, payload: Buffer, meta: string): Buffer {
  const frame = encodeUserBroadcast({ topic, event, payload: { encoding: 'json', bytes: payload }, meta })
  if (!frame) throw new Error(`topic, event or meta of ${topic} too long for a binary broadcast frame`)
  return wireBytes({ data: frame, binary: true })
}
