import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import * as hdr from 'hdr-histogram-js'
import WebSocket from 'ws'
import { clientDecode } from '../../../stack/testing/index.ts'
import { HISTOGRAM } from '../../bench/stats.ts'
import { staggeredHeartbeats } from '../../bench/gateway/heartbeats.ts'
import {
  broadcastSeq,
  inBatches,
  isBroadcastFrame,
  joinPrivate,
  openSocket,
  SeqTracker,
} from '../../bench/gateway/staff-sockets.ts'
import type { SubscriberCommand, SubscriberWorkerConfig, SubscriberWorkerReport } from './subscribers.ts'

/**
 * Subscriber thread of the capacity scenario: opens and joins its sockets as the service scenario does (batches
 * of 50, paced under the join budget, private channels with staff tokens, staggered heartbeats), then counts
 * every broadcast frame and its bytes per socket. Sampled sockets decode each frame and record its latency
 * from the database clock: ours from the envelope `ts` (clock_timestamp() in the publishing statement), the
 * peer's from the row's `updated_at` (now(), the writing transaction's start — the only database time its whole
 * row carries). Ours also tracks `seq` per socket (duplicates, gaps); the peer has none to track.
 */

const config = workerData as SubscriberWorkerConfig
const n = config.sockets.length
const latency = hdr.build(HISTOGRAM)
const received = new Int32Array(n)
const seqs = new SeqTracker(n)
const bytes = new Float64Array(n)
const sockets: WebSocket[] = []
let errors = 0
let joinErrors = 0
// The thread's own delay: a subscriber thread that falls behind adds latency no server caused.
const loopDelay = monitorEventLoopDelay({ resolution: 5 })
loopDelay.enable()

function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

/** What the latency and seq reading use of a broadcast's payload: ours an envelope, the peer's a changed row. */
interface BroadcastPayload {
  readonly ts?: number
  readonly seq?: number
  readonly record?: { readonly updated_at?: string }
}

/** The database-clock stamp of a decoded broadcast payload (epoch ms). */
function stampOf(payload: BroadcastPayload): number {
  return config.system === 'ours' ? Number(payload.ts) : Date.parse(payload.record?.updated_at ?? '')
}

function sampled(i: number, data: Buffer, isBinary: boolean): void {
  const arrival = nowMs()
  const message = clientDecode('2.0.0', data, isBinary)
  if (message.event !== 'broadcast') return
  const payload = (message.payload as { payload: BroadcastPayload }).payload
  received[i]!++
  bytes[i]! += data.length
  latency.recordValue(Math.max(1, Math.round((arrival - stampOf(payload)) * 1000)))
  if (config.system === 'ours') seqs.track(i, Number(payload.seq))
}

function counted(i: number, data: Buffer, isBinary: boolean): void {
  if (!isBroadcastFrame(data, isBinary)) return
  received[i]!++
  bytes[i]! += data.length
  if (config.system === 'ours') seqs.track(i, broadcastSeq(data))
}

async function open(i: number): Promise<void> {
  const spec = config.sockets[i]!
  const ws = await openSocket(config.url, config.apikey)
  sockets[i] = ws
  ws.on('error', () => errors++)
  const handler = config.sampleEvery > 0 && i % config.sampleEvery === 0 ? sampled : counted
  if (
    !(await joinPrivate(
      ws,
      String(i + 1),
      spec.topic,
      spec.token,
      (d: Buffer, b: boolean) => handler(i, d, b),
    ))
  ) joinErrors++
}

const stopHeartbeats = staggeredHeartbeats(sockets)
await inBatches(n, config.joinsPerSecond, open)

parentPort!.on('message', (command: SubscriberCommand) => {
  if (command.type === 'count') {
    parentPort!.postMessage(received.reduce((sum, v) => sum + v, 0))
  } else if (command.type === 'reset') {
    latency.reset()
    loopDelay.reset()
    parentPort!.postMessage(true)
  } else if (command.type === 'report') {
    const report: SubscriberWorkerReport = {
      open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
      errors,
      joinErrors,
      received: Array.from(received),
      duplicates: Array.from(seqs.duplicates),
      gaps: Array.from(seqs.gaps),
      bytes: Array.from(bytes),
      latency: hdr.encodeIntoCompressedBase64(latency),
      loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    }
    parentPort!.postMessage(report)
  } else {
    stopHeartbeats()
    for (const ws of sockets) ws.terminate()
    parentPort!.close()
  }
})
parentPort!.postMessage({ ready: true, joinErrors })
