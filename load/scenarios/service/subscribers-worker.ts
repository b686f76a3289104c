import { parentPort, workerData } from 'node:worker_threads'
import * as hdr from 'hdr-histogram-js'
import WebSocket from 'ws'
import { clientDecode } from '../../../stack/testing/index.ts'
import { staggeredHeartbeats } from '../../bench/gateway/heartbeats.ts'
import { HISTOGRAM } from '../../bench/stats.ts'
import {
  broadcastSeq,
  inBatches,
  isBroadcastFrame,
  joinPrivate,
  openSocket,
  SeqTracker,
} from '../../bench/gateway/staff-sockets.ts'

/**
 * A worker thread of the service benchmark holding its share of the sockets (./command.ts starts it): each joins
 * its private topic with a staff member's token, counts every frame by seq (gaps, duplicates) and, one socket in
 * `sampleEvery`, decodes the frame with realtime-js's Serializer to measure envelope `ts` → arrival.
 */
export interface SocketSpec {
  readonly topic: number
  readonly token: string
}

export interface WorkerConfig {
  readonly url: string
  readonly apikey: string
  readonly topics: string[]
  readonly sockets: SocketSpec[]
  readonly sampleEvery: number
  /** This worker's share of the join rate; 0: as fast as the batches go. */
  readonly joinsPerSecond: number
}

export type Command = { type: 'count' } | { type: 'reset' } | { type: 'report' } | { type: 'close' }

export interface WorkerReport {
  readonly received: number
  readonly errors: number
  readonly open: number
  readonly joinErrors: number
  /** Per socket, in `sockets` order. */
  readonly perSocketReceived: number[]
  readonly perSocketGaps: number[]
  readonly perSocketDuplicates: number[]
  readonly latency: string
}

function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

await (async function subscriberWorker(): Promise<void> {
  const config = workerData as WorkerConfig
  const n = config.sockets.length
  const latency = hdr.build(HISTOGRAM)
  const received = new Int32Array(n)
  const seqs = new SeqTracker(n)
  const sockets: WebSocket[] = []
  let total = 0
  let errors = 0
  let joinErrors = 0

  function track(i: number, seq: number): void {
    total++
    received[i]!++
    seqs.track(i, seq)
  }

  function measure(i: number, data: Buffer, isBinary: boolean): void {
    const arrival = nowMs()
    const message = clientDecode('2.0.0', data, isBinary)
    if (message.event !== 'broadcast') return
    const { seq, ts } = message.payload.payload as { seq: number; ts: number }
    latency.recordValue(Math.max(1, Math.round((arrival - ts) * 1000)))
    track(i, seq)
  }

  function count(i: number, data: Buffer, isBinary: boolean): void {
    if (isBroadcastFrame(data, isBinary)) track(i, broadcastSeq(data))
  }

  async function open(i: number): Promise<void> {
    const spec = config.sockets[i]!
    const ws = await openSocket(config.url, config.apikey)
    sockets[i] = ws
    ws.on('error', () => errors++)
    const sampled = config.sampleEvery > 0 && i % config.sampleEvery === 0
    const onFrame = sampled
      ? (d: Buffer, b: boolean) => measure(i, d, b)
      : (d: Buffer, b: boolean) => count(i, d, b)
    if (!(await joinPrivate(ws, String(i + 1), config.topics[spec.topic]!, spec.token, onFrame))) joinErrors++
  }

  // Heartbeats from the first socket on: at the stack gateway's join budget, joining takes longer than the 60 s
  // after which Phoenix drops a silent socket.
  const stopHeartbeats = staggeredHeartbeats(sockets)
  // No faster than the gateway's join budget.
  await inBatches(n, config.joinsPerSecond, open)

  parentPort!.on('message', (command: Command) => {
    if (command.type === 'count') {
      parentPort!.postMessage({ received: total })
    } else if (command.type === 'reset') {
      latency.reset()
      parentPort!.postMessage({ ok: true })
    } else if (command.type === 'report') {
      const report: WorkerReport = {
        received: total,
        errors,
        open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
        joinErrors,
        perSocketReceived: Array.from(received),
        perSocketGaps: Array.from(seqs.gaps),
        perSocketDuplicates: Array.from(seqs.duplicates),
        latency: hdr.encodeIntoCompressedBase64(latency),
      }
      parentPort!.postMessage(report)
    } else {
      stopHeartbeats()
      for (const ws of sockets) ws.terminate()
      parentPort!.close()
    }
  })
  parentPort!.postMessage({ ready: true, joinErrors })
})()
