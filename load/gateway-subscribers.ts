import { parentPort, workerData } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { clientDecode } from '../stack/gateway/protocol/client.ts';
import { staggeredHeartbeats } from './heartbeats.ts';
import { HISTOGRAM, type SubscriberConfig, type SubscriberReport, type WorkerCommand } from './gateway-harness.ts';

/**
 * A worker thread holding a share of the benchmark's subscribers: raw `ws` sockets speaking vsn 2.0.0.
 *
 * Every socket receives and counts every `tick` broadcast. One socket in `sampleEvery` also decodes each
 * frame with realtime-js's own Serializer, as the official client would, and notes when it arrived.
 * Decoding costs ~10 µs a frame here, so decoding all 200 000 deliveries/s would take two cores from a
 * two-core machine and measure the load generator instead of the gateway; the other sockets read only the
 * kind-4 header to count.
 *
 * Two latencies per sampled delivery, in microseconds:
 *   stamp: arrival − `t`, which the inserting statement wrote as clock_timestamp() (before its commit is
 *          flushed, so this includes the WAL flush)
 *   ack:   arrival − the moment the inserter saw its commit acknowledged (sent by the main thread at the
 *          end, as `acks[seq]`)
 */

const config = workerData as SubscriberConfig;
const stamp = hdr.build(HISTOGRAM);
const sockets: WebSocket[] = [];
/** Sampled deliveries as (seq, arrival ms) pairs. */
const arrivals: number[] = [];
let received = 0;
let errors = 0;

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function measure(data: Buffer, isBinary: boolean): void {
  const arrival = nowMs();
  const message = clientDecode('2.0.0', data, isBinary);
  if (message.event !== 'broadcast' || message.payload?.event !== 'tick') return;
  received++;
  const { t, seq } = message.payload.payload as { t: number; seq: number };
  stamp.recordValue(Math.max(1, Math.round((arrival - t) * 1000)));
  arrivals.push(seq, arrival);
}

/** Kind 4: [4, topic_size, event_size, meta_size, encoding, topic, event, …]. */
function count(data: Buffer, isBinary: boolean): void {
  if (!isBinary || data[0] !== 4) return;
  const eventStart = 5 + data[1]!;
  if (data.toString('latin1', eventStart, eventStart + data[2]!) === 'tick') received++;
}

async function open(index: number): Promise<void> {
  const ws = new WebSocket(
    `${config.url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${config.apikey}&vsn=2.0.0`,
  );
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => errors++);
  if (!config.join) return;
  const ref = String(index + 1);
  const joined = new Promise<void>((resolve) => {
    const onJoin = (data: Buffer, isBinary: boolean) => {
      const message = clientDecode('2.0.0', data, isBinary);
      if (message.event === 'phx_reply' && message.ref === ref) {
        ws.off('message', onJoin);
        ws.on('message', config.sampleEvery > 0 && index % config.sampleEvery === 0 ? measure : count);
        resolve();
      }
    };
    ws.on('message', onJoin);
  });
  ws.send(JSON.stringify([ref, ref, `realtime:${config.topic}`, 'phx_join', { config: { private: false } }]));
  await joined;
}

// Connect in batches so the gateway sees a ramp, not a SYN flood.
for (let i = 0; i < config.count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, config.count - i) }, (_, j) => open(i + j)));
}

const stopHeartbeats = staggeredHeartbeats(sockets);

parentPort!.on('message', (command: WorkerCommand) => {
  if (command.type === 'count') {
    parentPort!.postMessage({ received });
    return;
  }
  if (command.type === 'report') {
    const ack = hdr.build(HISTOGRAM);
    let beforeAck = 0;
    for (let i = 0; i < arrivals.length; i += 2) {
      const acked = command.acks[arrivals[i]!]!;
      const latency = arrivals[i + 1]! - acked;
      if (latency < 0) beforeAck++;
      ack.recordValue(Math.max(1, Math.round(latency * 1000)));
    }
    const report: SubscriberReport = {
      received,
      errors,
      open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
      stamp: hdr.encodeIntoCompressedBase64(stamp),
      ack: hdr.encodeIntoCompressedBase64(ack),
      beforeAck,
    };
    parentPort!.postMessage(report);
    return;
  }
  stopHeartbeats();
  for (const ws of sockets) ws.terminate();
  parentPort!.close();
});
parentPort!.postMessage({ ready: true });
