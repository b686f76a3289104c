import { createRequire } from 'node:module'
import { VSN, type Vsn } from '../gateway/protocol/constants.ts'

/**
 * The client's side of the wire formats the gateway serves: what tests and the load harness speak when
 * they talk to the gateway over a bare socket. Frames from the gateway are decoded with the official
 * client's own vsn 2.0.0 codec (realtime-js 2.119.1 `lib/serializer.ts`, loaded from its CJS build), so
 * the gateway's encoders are checked against the decoder its users run, not against themselves.
 */
type ClientSerializer = {
  encode(msg: ClientMessage, callback: (result: ArrayBuffer | string) => void): void
  decode(raw: ArrayBuffer | string, callback: (msg: ClientMessage) => void): void
}

export interface ClientMessage {
  join_ref?: string | null
  ref?: string | null
  topic: string
  event: string
  // deno-lint-ignore no-explicit-any -- a frame of any event; each test reads the fields it asserts
  payload: any
}

// createRequire gives the same CJS module under tsx, node and vitest (whose ESM interop differs).
const require = createRequire(import.meta.url)
const Serializer = (
  require('@supabase/realtime-js/dist/main/lib/serializer.js') as {
    default: new () => ClientSerializer
  }
).default

const clientSerializer: ClientSerializer = new Serializer()

/** Decode a server frame the way realtime-js does for the given vsn. */
export function clientDecode(vsn: Vsn, data: Buffer, binary: boolean): ClientMessage {
  if (vsn === VSN.v1) return JSON.parse(data.toString('utf8')) as ClientMessage
  let out: ClientMessage | undefined
  const raw = binary
    ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
    : data.toString('utf8')
  clientSerializer.decode(raw as ArrayBuffer | string, (msg) => (out = msg))
  if (!out) throw new Error('client could not decode the frame')
  return out
}

/** Encode a client push the way realtime-js does for vsn 2.0.0 (broadcasts become binary kind 3). */
export function clientEncode(msg: ClientMessage): { data: Buffer; binary: boolean } {
  let out: ArrayBuffer | string | undefined
  clientSerializer.encode(msg, (result) => (out = result))
  if (out === undefined) throw new Error('client could not encode the frame')
  return typeof out === 'string'
    ? { data: Buffer.from(out), binary: false }
    : { data: Buffer.from(out), binary: true }
}

/**
 * A push as a text frame of either vsn, whatever its event (a broadcast stays JSON, which clients older
 * than kind 3 sent and the gateway still accepts). vsn 1.0.0 clients send `join_ref`; the server omits it.
 */
export function clientTextPush(vsn: Vsn, msg: ClientMessage): string {
  const { join_ref = null, ref = null, topic, event, payload } = msg
  return vsn === VSN.v2
    ? JSON.stringify([join_ref, ref, topic, event, payload])
    : JSON.stringify({ topic, event, payload, ref, join_ref })
}
