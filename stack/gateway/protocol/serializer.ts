import type { Vsn } from './constants.ts'
import type { EncodedFrame, Inbound, OutboundMessage, UserBroadcast } from './frames.ts'

/**
 * One wire format. Pure: no I/O, no state; tested against the official client's frames. The formats (v1.ts, v2.ts)
 * implement it and versions.ts picks one by `vsn`.
 */
export interface Serializer {
  readonly vsn: Vsn
  /** Throws `ProtocolError` for anything the format does not allow. */
  decode(data: Buffer, isBinary: boolean): Inbound
  encode(message: OutboundMessage): EncodedFrame
  /** Null when the format cannot carry this broadcast (binary payloads on vsn 1.0.0), as on Supabase. */
  encodeUserBroadcast(broadcast: UserBroadcast): EncodedFrame | null
}
