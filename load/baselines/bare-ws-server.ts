import { randomUUID } from 'node:crypto'
import { broadcastWireBytes } from '../../stack/testing/index.ts'
import { openLoop } from '../bench/open-loop.ts'
import { listenForSubscribers } from './subscribers-server.ts'

/**
 * Baseline (a), the ceiling: a bare `ws` server with no database. Asked over IPC to publish `count` messages at
 * `rate`/s, it encodes each one once — the same vsn 2.0.0 kind-4 frame the gateway sends for the same payload (with a
 * message id in `meta`, as the gateway's), WebSocket framing included — and writes those bytes to every socket,
 * corked, once per event-loop turn. That is the cheapest fan-out Node and `ws` allow, so it is the ceiling the
 * gateway is held against; `ws.send` per socket (framing and a write per message each time) is slower than the
 * gateway and no ceiling at all (docs/decisions.md, 2026-12-01). It stamps `t` with its own clock just before
 * encoding (there is no database clock here; the subscribers share this host's clock).
 */
export interface PublishCommand {
  readonly type: 'publish'
  readonly topic: string
  readonly event: string
  readonly rate: number
  readonly count: number
  /** Epoch ms the first message is due. */
  readonly startAt: number
  readonly body: Record<string, unknown>
}

const clients = listenForSubscribers()
let pending: Buffer[] = []

function flush(): void {
  const wires = pending
  pending = []
  for (const socket of clients.values()) {
    socket.cork()
    for (const wire of wires) socket.write(wire)
    socket.uncork()
  }
}

process.on('message', async (command: PublishCommand) => {
  const topic = `realtime:${command.topic}`
  const outcome = await openLoop(command.rate, command.count, command.startAt, (seq, due) => {
    const payload = Buffer.from(JSON.stringify({ ...command.body, seq, due, t: Date.now() }))
    if (pending.push(broadcastWireBytes(topic, command.event, payload, `{"id":"${randomUUID()}"}`)) === 1) {
      setImmediate(flush)
    }
    return undefined
  })
  process.send!({ type: 'published', ...outcome })
})
