import { VSN, type Vsn } from './constants.ts';
import type { EncodedFrame, Inbound, OutboundMessage, UserBroadcast } from './frames.ts';
import { v1Serializer } from './v1.ts';
import { v2Serializer } from './v2.ts';

/** One wire format. Pure: no I/O, no state; tested against the official client's frames. */
export interface Serializer {
  readonly vsn: Vsn;
  /** Throws `ProtocolError` for anything the format does not allow. */
  decode(data: Buffer, isBinary: boolean): Inbound;
  encode(message: OutboundMessage): EncodedFrame;
  /** Null when the format cannot carry this broadcast (binary payloads on vsn 1.0.0), as on Supabase. */
  encodeUserBroadcast(broadcast: UserBroadcast): EncodedFrame | null;
}

/** The serializer for a `vsn` query value, or undefined if the gateway does not speak it. */
export function serializerFor(vsn: string): Serializer | undefined {
  if (vsn === VSN.v1) return v1Serializer;
  if (vsn === VSN.v2) return v2Serializer;
  return undefined;
}
