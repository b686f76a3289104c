import * as ws from 'ws'
import type { EncodedFrame } from '../protocol/frames.ts'

/**
 * WebSocket framing of a gateway frame, done once and shared: server frames are not masked, so one
 * framed buffer is byte-for-byte right for every subscriber, and fan-out becomes a plain `socket.write`
 * of the same Buffer N times. The framing itself stays `ws`'s (`Sender.frame`, exported at runtime but
 * missing from @types/ws).
 */
type FrameOptions = { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }
const { frame } =
  (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender

const OPCODE = { text: 0x1, binary: 0x2 } as const

const framed = new WeakMap<EncodedFrame, Buffer>()

export function wireBytes(encoded: EncodedFrame): Buffer {
  let wire = framed.get(encoded)
  if (wire === undefined) {
    const opcode = encoded.binary ? OPCODE.binary : OPCODE.text
    wire = Buffer.concat(frame(encoded.data, { fin: true, opcode, mask: false, readOnly: true, rsv1: false }))
    framed.set(encoded, wire)
  }
  return wire
}
