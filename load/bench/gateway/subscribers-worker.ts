import { parentPort, workerData } from 'node:worker_threads'
import WebSocket from 'ws'
import { clientDecode } from '../../../stack/testing/index.ts'
import { staggeredHeartbeats } from './heartbeats.ts'
import type { SubscriberConfig, SubscriberReport, SubscribersReady, WorkerCommand } from './subscribers.ts'
import { REALTIME_SOCKET_PATH } from '../../k6/routes.js'

/**
 * A worker thread holding a share of the fan-out benchmark's subscribers: raw `ws` sockets speaking vsn 2.0.0,
 * against the gateway or a baseline server (which answer the join the same way).
 *
 * Every socket counts every `tick` broadcast and marks its `seq` as seen (duplicates and arrivals out of seq
 * order, per socket; concurrent writers commit out of seq order, so order alone proves nothing). One socket
 * in `sampleEvery` also decodes each frame with realtime-js's own Serializer, as the official client would, and
 * notes when it arrived. Decoding every delivery of the hot topic would take more CPU than the two-core machine
 * has and measure the load generator instead of the server (docs/decisions.md, 2026-11-27); the other sockets only
 * find the event name and `"seq":` in the frame.
 */

const EVENT = 'tick'
const config = workerData as SubscriberConfig
const sockets: WebSocket[] = []
const received = new Int32Array(config.count)
const outOfOrder = new Int32Array(config.count)
const duplicates = new Int32Array(config.count)
const last = new Float64Array(config.count)
/** Per socket, one byte per seq of the measured step (sized by `reset`). */
let seen: Uint8Array[] = []
/** Sampled deliveries: (arrival − t, arrival − due, due) triples, see SubscriberReport. */
let samples: number[] = []
let total = 0
let errors = 0
/** When the latest counted delivery arrived (epoch ms). */
let lastArrival = 0
const SEQ = Buffer.from('"seq":')
const TEXT_EVENT = Buffer.from(`"event":"${EVENT}"`)

function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

function track(i: number, seq: number): void {
  total++
  lastArrival = performance.timeOrigin + performance.now()
  received[i]!++
  const marks = seen[i]
  if (marks && seq < marks.length) {
    if (marks[seq]) duplicates[i]!++
    marks[seq] = 1
  }
  if (seq < last[i]!) outOfOrder[i]!++
  else last[i] = seq
}

function measure(i: number, data: Buffer, isBinary: boolean): void {
  const arrival = nowMs()
  const message = clientDecode('2.0.0', data, isBinary)
  if (message.event !== 'broadcast' || message.payload?.event !== EVENT) return
  const { t, due, seq } = message.payload.payload as { t: number; due: number; seq: number }
  samples.push(arrival - t, arrival - due, due)
  track(i, seq)
}

/** Binary kind 4 ([4, topic_size, event_size, meta_size, encoding, topic, event, meta, payload]) or a JSON text frame. */
function count(i: number, data: Buffer, isBinary: boolean): void {
  let from: number
  if (isBinary) {
    if (data[0] !== 4) return
    const eventStart = 5 + data[1]!
    if (data.toString('latin1', eventStart, eventStart + data[2]!) !== EVENT) return
    from = eventStart + data[2]! + data[3]!
  } else {
    if (data.indexOf(TEXT_EVENT) < 0) return
    from = 0
  }
  let at = data.indexOf(SEQ, from) + SEQ.length
  while (data[at] === 32) at++ // jsonb's text form puts a space after the colon
  let seq = 0
  for (let c = data[at]!; c >= 48 && c <= 57; c = data[++at]!) seq = seq * 10 + c - 48
  track(i, seq)
}

async function connect(index: number): Promise<WebSocket> {
  const ws = new WebSocket(
    `${config.url.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${config.apikey}&vsn=2.0.0`,
  )
  sockets[index] = ws
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  ws.on('error', () => errors++)
  return ws
}

/** Joins the topic; resolves with the reply's status once it comes ('ok', or 'error' with a reason). */
function join(ws: WebSocket, index: number): Promise<string> {
  const ref = String(index + 1)
  const sampled = config.sampleEvery > 0 && index % config.sampleEvery === 0
  const joined = new Promise<string>((resolve) => {
    const onJoin = (data: Buffer, isBinary: boolean) => {
      const message = clientDecode('2.0.0', data, isBinary)
      if (message.event === 'phx_reply' && message.ref === ref) {
        ws.off('message', onJoin)
        ws.on(
          'message',
          sampled
            ? (d: Buffer, b: boolean) => measure(index, d, b)
            : (d: Buffer, b: boolean) => count(index, d, b),
        )
        resolve((message.payload as { status?: string }).status ?? 'none')
      }
    }
    ws.on('message', onJoin)
  })
  ws.send(JSON.stringify([ref, ref, `realtime:${config.topic}`, 'phx_join', { config: { private: false } }]))
  return joined
}

// Heartbeats from the start: a slow join ramp outlasts Phoenix's 60 s idle timeout.
const stopHeartbeats = staggeredHeartbeats(sockets)
const joinStatuses: Record<string, number> = {}
const countStatus = (status: string) => (joinStatuses[status] = (joinStatuses[status] ?? 0) + 1)
const started = performance.now()
// Connect in batches so the server sees a ramp, not a SYN flood.
for (let i = 0; i < config.count; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, config.count - i) }, async (_, j) => {
      const ws = await connect(i + j)
      if (config.join && !config.joinsPerSecond) countStatus(await join(ws, i + j))
    }),
  )
}
const connectSeconds = (performance.now() - started) / 1000
if (config.join && config.joinsPerSecond) {
  // Joins at a steady rate, as clients arriving over time would (a gateway limits joins per second).
  const pending: Promise<void>[] = []
  const joinStart = performance.now()
  for (let i = 0; i < config.count; i++) {
    const wait = joinStart + (i * 1000) / config.joinsPerSecond - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    pending.push(join(sockets[i]!, i).then((status) => void countStatus(status)))
  }
  await Promise.all(pending)
}
const joinSeconds = (performance.now() - started) / 1000 - connectSeconds

parentPort!.on('message', (command: WorkerCommand) => {
  if (command.type === 'count') {
    parentPort!.postMessage({ received: total })
  } else if (command.type === 'reset') {
    for (const counters of [received, outOfOrder, duplicates, last]) counters.fill(0)
    seen = Array.from({ length: config.count }, () => new Uint8Array(command.maxSeq + 1))
    samples = []
    total = 0
    lastArrival = 0
    parentPort!.postMessage({ ok: true })
  } else if (command.type === 'report') {
    const report: SubscriberReport = {
      received: total,
      lastArrival,
      errors,
      open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
      perSocketReceived: received.slice(),
      perSocketOutOfOrder: outOfOrder.slice(),
      perSocketDuplicates: duplicates.slice(),
      samples: Float64Array.from(samples),
    }
    parentPort!.postMessage(report, [report.samples.buffer as ArrayBuffer])
  } else {
    stopHeartbeats()
    for (const ws of sockets) ws.terminate()
    parentPort!.close()
  }
})
parentPort!.postMessage({ ready: true, connectSeconds, joinSeconds, joinStatuses } satisfies SubscribersReady)
