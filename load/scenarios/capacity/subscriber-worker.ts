import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { clientDecode } from '../../../stack/testing/index.ts';
import { HISTOGRAM } from '../../bench/stats.ts';
import { staggeredHeartbeats } from '../../bench/gateway/heartbeats.ts';
import type { SubscriberCommand, SubscriberWorkerConfig, SubscriberWorkerReport } from './subscribers.ts';

/**
 * Subscriber thread of the capacity scenario: opens and joins its sockets as the service scenario does (batches
 * of 50, paced under the join budget, private channels with staff tokens, staggered heartbeats), then counts
 * every broadcast frame and its bytes per socket. Sampled sockets decode each frame and record its latency
 * from the database clock: ours from the envelope `ts` (clock_timestamp() in the publishing statement), the
 * peer's from the row's `updated_at` (now(), the writing transaction's start — the only database time its whole
 * row carries). Ours also tracks `seq` per socket (duplicates, gaps); the peer has none to track.
 */

const config = workerData as SubscriberWorkerConfig;
const n = config.sockets.length;
const latency = hdr.build(HISTOGRAM);
const received = new Int32Array(n);
const duplicates = new Int32Array(n);
const gaps = new Int32Array(n);
const bytes = new Float64Array(n);
const lastSeq = new Float64Array(n);
const sockets: WebSocket[] = [];
let errors = 0;
let joinErrors = 0;
const SEQ = Buffer.from('"seq":');
// The thread's own delay: a subscriber thread that falls behind adds latency no server caused.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function trackSeq(i: number, seq: number): void {
  const previous = lastSeq[i]!;
  if (previous === 0 || seq > previous) {
    if (previous !== 0 && seq > previous + 1) gaps[i]! += seq - previous - 1;
    lastSeq[i] = seq;
  } else duplicates[i]!++;
}

/** The database-clock stamp of a decoded broadcast payload (epoch ms). */
function stampOf(payload: Record<string, any>): number {
  return config.system === 'ours' ? Number(payload.ts) : Date.parse(payload.record?.updated_at);
}

function sampled(i: number, data: Buffer, isBinary: boolean): void {
  const arrival = nowMs();
  const message = clientDecode('2.0.0', data, isBinary);
  if (message.event !== 'broadcast') return;
  const payload = (message.payload as { payload: Record<string, any> }).payload;
  received[i]!++;
  bytes[i]! += data.length;
  latency.recordValue(Math.max(1, Math.round((arrival - stampOf(payload)) * 1000)));
  if (config.system === 'ours') trackSeq(i, Number(payload.seq));
}

/** Kind 4 frames: [4, topic_size, event_size, meta_size, encoding, topic, event, meta, payload]. */
function counted(i: number, data: Buffer, isBinary: boolean): void {
  if (!isBinary || data[0] !== 4) return;
  received[i]!++;
  bytes[i]! += data.length;
  if (config.system !== 'ours') return;
  let at = data.indexOf(SEQ, 5 + data[1]! + data[2]! + data[3]!) + SEQ.length;
  let seq = 0;
  for (let c = data[at]!; c >= 48 && c <= 57; c = data[++at]!) seq = seq * 10 + c - 48;
  trackSeq(i, seq);
}

async function open(i: number): Promise<void> {
  const spec = config.sockets[i]!;
  const ws = new WebSocket(`${config.url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${config.apikey}&vsn=2.0.0`);
  sockets[i] = ws;
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => errors++);
  const ref = String(i + 1);
  const handler = config.sampleEvery > 0 && i % config.sampleEvery === 0 ? sampled : counted;
  await new Promise<void>((resolve) => {
    const onJoin = (data: Buffer, isBinary: boolean) => {
      const message = clientDecode('2.0.0', data, isBinary);
      if (message.event !== 'phx_reply' || message.ref !== ref) return;
      ws.off('message', onJoin);
      if ((message.payload as { status?: string }).status !== 'ok') joinErrors++;
      ws.on('message', (d: Buffer, b: boolean) => handler(i, d, b));
      resolve();
    };
    ws.on('message', onJoin);
    ws.send(JSON.stringify([ref, ref, `realtime:${spec.topic}`, 'phx_join', {
      config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, private: true },
      access_token: spec.token,
    }]));
  });
}

const stopHeartbeats = staggeredHeartbeats(sockets);
const joinStart = performance.now();
for (let i = 0; i < n; i += 50) {
  const due = config.joinsPerSecond > 0 ? joinStart + (i * 1000) / config.joinsPerSecond : 0;
  if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
  await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => open(i + j)));
}

parentPort!.on('message', (command: SubscriberCommand) => {
  if (command.type === 'count') {
    parentPort!.postMessage(received.reduce((sum, v) => sum + v, 0));
  } else if (command.type === 'reset') {
    latency.reset();
    loopDelay.reset();
    parentPort!.postMessage(true);
  } else if (command.type === 'report') {
    const report: SubscriberWorkerReport = {
      open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
      errors,
      joinErrors,
      received: Array.from(received),
      duplicates: Array.from(duplicates),
      gaps: Array.from(gaps),
      bytes: Array.from(bytes),
      latency: hdr.encodeIntoCompressedBase64(latency),
      loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    };
    parentPort!.postMessage(report);
  } else {
    stopHeartbeats();
    for (const ws of sockets) ws.terminate();
    parentPort!.close();
  }
});
parentPort!.postMessage({ ready: true, joinErrors });
