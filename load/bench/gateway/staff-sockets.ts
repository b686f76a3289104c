import WebSocket from 'ws'
import { clientDecode } from '../../../stack/testing/index.ts'
import { REALTIME_SOCKET_PATH } from '../../k6/routes.js'

/**
 * Staff screens' sockets as the subscriber threads of `service` and `capacity` hold them: opened in batches under
 * a join budget, each joined to its private topic with a staff member's token, frames counted by seq without
 * decoding them.
 */

/** Opens a socket to the gateway's realtime endpoint; resolves once it is open. */
export async function openSocket(url: string, apikey: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${apikey}&vsn=2.0.0`)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return ws
}

/**
 * Joins `topic` as a private channel with `token`; once the join is answered every later frame goes to `onFrame`.
 * Resolves whether the gateway accepted the join.
 */
export function joinPrivate(
  ws: WebSocket,
  ref: string,
  topic: string,
  token: string,
  onFrame: (data: Buffer, isBinary: boolean) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    const onJoin = (data: Buffer, isBinary: boolean) => {
      const message = clientDecode('2.0.0', data, isBinary)
      if (message.event !== 'phx_reply' || message.ref !== ref) return
      ws.off('message', onJoin)
      ws.on('message', onFrame)
      resolve((message.payload as { status?: string }).status === 'ok')
    }
    ws.on('message', onJoin)
    ws.send(JSON.stringify([ref, ref, `realtime:${topic}`, 'phx_join', {
      config: {
        broadcast: { ack: false, self: false },
        presence: { key: '', enabled: false },
        private: true,
      },
      access_token: token,
    }]))
  })
}

/** Opens sockets 0…n-1 in batches of 50, so the gateway sees a ramp rather than a SYN flood, at most `joinsPerSecond` (0: unpaced). */
export async function inBatches(
  n: number,
  joinsPerSecond: number,
  open: (i: number) => Promise<void>,
): Promise<void> {
  const start = performance.now()
  for (let i = 0; i < n; i += 50) {
    const due = joinsPerSecond > 0 ? start + (i * 1000) / joinsPerSecond : 0
    if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()))
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => open(i + j)))
  }
}

const SEQ = Buffer.from('"seq":')

/** Whether a frame is a broadcast (binary kind 4: [4, topic_size, event_size, meta_size, encoding, topic, event, meta, payload]). */
export function isBroadcastFrame(data: Buffer, isBinary: boolean): boolean {
  return isBinary && data[0] === 4
}

/** The `"seq":` of a broadcast frame's payload, found without decoding the frame. */
export function broadcastSeq(data: Buffer): number {
  let at = data.indexOf(SEQ, 5 + data[1]! + data[2]! + data[3]!) + SEQ.length
  let seq = 0
  for (let c = data[at]!; c >= 48 && c <= 57; c = data[++at]!) seq = seq * 10 + c - 48
  return seq
}

/** Per-socket seq bookkeeping: a seq past the next one counts the skipped ones as gaps, one not past the last as a duplicate. */
export class SeqTracker {
  readonly gaps: Int32Array
  readonly duplicates: Int32Array
  readonly #last: Float64Array

  constructor(sockets: number) {
    this.gaps = new Int32Array(sockets)
    this.duplicates = new Int32Array(sockets)
    this.#last = new Float64Array(sockets)
  }

  track(i: number, seq: number): void {
    const previous = this.#last[i]!
    if (previous === 0 || seq > previous) {
      if (previous !== 0 && seq > previous + 1) this.gaps[i]! += seq - previous - 1
      this.#last[i] = seq
    } else this.duplicates[i]!++
  }
}
