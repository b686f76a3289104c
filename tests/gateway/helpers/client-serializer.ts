import { createRequire } from 'node:module';

/**
 * The official client's vsn 2.0.0 codec (realtime-js 2.119.1 `lib/serializer.ts`), loaded from its CJS
 * build so tests and the load harness decode exactly as the client does.
 */
type ClientSerializer = {
  encode(msg: ClientMessage, callback: (result: ArrayBuffer | string) => void): void;
  decode(raw: ArrayBuffer | string, callback: (msg: ClientMessage) => void): void;
};

export interface ClientMessage {
  join_ref?: string | null;
  ref?: string | null;
  topic: string;
  event: string;
  payload: any;
}

// createRequire gives the same CJS module under tsx, node and vitest (whose ESM interop differs).
const require = createRequire(import.meta.url);
const Serializer = (
  require('@supabase/realtime-js/dist/main/lib/serializer.js') as {
    default: new () => ClientSerializer;
  }
).default;

export const clientSerializer: ClientSerializer = new Serializer();

/** Decode a server frame the way realtime-js does for the given vsn. */
export function clientDecode(vsn: '1.0.0' | '2.0.0', data: Buffer, binary: boolean): ClientMessage {
  if (vsn === '1.0.0') return JSON.parse(data.toString('utf8')) as ClientMessage;
  let out: ClientMessage | undefined;
  const raw = binary ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data.toString('utf8');
  clientSerializer.decode(raw as ArrayBuffer | string, (msg) => (out = msg));
  if (!out) throw new Error('client could not decode the frame');
  return out;
}

/** Encode a client push the way realtime-js does for vsn 2.0.0. */
export function clientEncode(msg: ClientMessage): { data: Buffer; binary: boolean } {
  let out: ArrayBuffer | string | undefined;
  clientSerializer.encode(msg, (result) => (out = result));
  if (out === undefined) throw new Error('client could not encode the frame');
  return typeof out === 'string' ? { data: Buffer.from(out), binary: false } : { data: Buffer.from(out), binary: true };
}
