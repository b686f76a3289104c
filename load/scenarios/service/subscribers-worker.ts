import { parentPort, workerData } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { clientDecode } from '../../../stack/testing/index.ts';
import { staggeredHeartbeats } from '../../bench/gateway/heartbeats.ts';
import { HISTOGRAM } from '../../bench/stats.ts';
import { REALTIME_SOCKET_PATH } from '../../k6/routes.js';

/**
 * A worker thread of the service benchmark holding its share of the sockets (./command.ts starts it): each joins
 * its private topic with a staff member's token, counts every frame by seq (gaps, duplicates) and, one socket in
 * `sampleEvery`, decodes the frame with realtime-js's Serializer to measure envelope `ts` → arrival.
 */
export interface SocketSpec {
  readonly topic: number;
  readonly token: string;
}

export interface WorkerConfig {
  readonly url: string;
  readonly apikey: string;
  readonly topics: string[];
  readonly sockets: SocketSpec[];
  readonly sampleEvery: number;
  /** This worker's share of the join rate; 0: as fast as the batches go. */
  readonly joinsPerSecond: number;
}

export type Command = { type: 'count' } | { type: 'reset' } | { type: 'report' } | { type: 'close' };

export interface WorkerReport {
  readonly received: number;
  readonly errors: number;
  readonly open: number;
  readonly joinErrors: number;
  /** Per socket, in `sockets` order. */
  readonly perSocketReceived: number[];
  readonly perSocketGaps: number[];
  readonly perSocketDuplicates: number[];
  readonly latency: string;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

await (async function subscriberWorker(): Promise<void> {
  const config = workerData as WorkerConfig;
  const n = config.sockets.length;
  const latency = hdr.build(HISTOGRAM);
  const received = new Int32Array(n);
  const gaps = new Int32Array(n);
  const duplicates = new Int32Array(n);
  const last = new Float64Array(n);
  const sockets: WebSocket[] = [];
  let total = 0;
  let errors = 0;
  let joinErrors = 0;
  const SEQ = Buffer.from('"seq":');

  function track(i: number, seq: number): void {
    total++;
    received[i]!++;
    const previous = last[i]!;
    if (previous === 0 || seq > previous) {
      if (previous !== 0 && seq > previous + 1) gaps[i]! += seq - previous - 1;
      last[i] = seq;
    } else duplicates[i]!++;
  }

  function measure(i: number, data: Buffer, isBinary: boolean): void {
    const arrival = nowMs();
    const message = clientDecode('2.0.0', data, isBinary);
    if (message.event !== 'broadcast') return;
    const { seq, ts } = message.payload.payload as { seq: number; ts: number };
    latency.recordValue(Math.max(1, Math.round((arrival - ts) * 1000)));
    track(i, seq);
  }

  /** Kind 4: [4, topic_size, event_size, meta_size, encoding, topic, event, meta, payload]: find "seq": only. */
  function count(i: number, data: Buffer, isBinary: boolean): void {
    if (!isBinary || data[0] !== 4) return;
    let at = data.indexOf(SEQ, 5 + data[1]! + data[2]! + data[3]!) + SEQ.length;
    let seq = 0;
    for (let c = data[at]!; c >= 48 && c <= 57; c = data[++at]!) seq = seq * 10 + c - 48;
    track(i, seq);
  }

  async function open(i: number): Promise<void> {
    const spec = config.sockets[i]!;
    const ws = new WebSocket(
      `${config.url.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${config.apikey}&vsn=2.0.0`,
    );
    sockets[i] = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => errors++);
    const ref = String(i + 1);
    const sampled = config.sampleEvery > 0 && i % config.sampleEvery === 0;
    const joined = new Promise<void>((resolve) => {
      const onJoin = (data: Buffer, isBinary: boolean) => {
        const message = clientDecode('2.0.0', data, isBinary);
        if (message.event !== 'phx_reply' || message.ref !== ref) return;
        ws.off('message', onJoin);
        if ((message.payload as { status?: string }).status !== 'ok') joinErrors++;
        ws.on('message', sampled ? (d: Buffer, b: boolean) => measure(i, d, b) : (d: Buffer, b: boolean) => count(i, d, b));
        resolve();
      };
      ws.on('message', onJoin);
    });
    ws.send(
      JSON.stringify([
        ref,
        ref,
        `realtime:${config.topics[spec.topic]}`,
        'phx_join',
        {
          config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, private: true },
          access_token: spec.token,
        },
      ]),
    );
    await joined;
  }

  // Heartbeats from the first socket on: at the stack gateway's join budget, joining takes longer than the 60 s
  // after which Phoenix drops a silent socket.
  const stopHeartbeats = staggeredHeartbeats(sockets);
  // Connect and join in batches so the gateway sees a ramp, not a SYN flood, and no faster than its join budget.
  const joinStart = performance.now();
  for (let i = 0; i < n; i += 50) {
    const due = config.joinsPerSecond > 0 ? joinStart + (i * 1000) / config.joinsPerSecond : 0;
    if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => open(i + j)));
  }

  parentPort!.on('message', (command: Command) => {
    if (command.type === 'count') {
      parentPort!.postMessage({ received: total });
    } else if (command.type === 'reset') {
      latency.reset();
      parentPort!.postMessage({ ok: true });
    } else if (command.type === 'report') {
      const report: WorkerReport = {
        received: total,
        errors,
        open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
        joinErrors,
        perSocketReceived: Array.from(received),
        perSocketGaps: Array.from(gaps),
        perSocketDuplicates: Array.from(duplicates),
        latency: hdr.encodeIntoCompressedBase64(latency),
      };
      parentPort!.postMessage(report);
    } else {
      stopHeartbeats();
      for (const ws of sockets) ws.terminate();
      parentPort!.close();
    }
  });
  parentPort!.postMessage({ ready: true, joinErrors });
})();
