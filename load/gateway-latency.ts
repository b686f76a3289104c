import { parseArgs } from 'node:util';
import * as hdr from 'hdr-histogram-js';
import postgres from 'postgres';
import { signApiKey } from '../stack/keys.ts';
import {
  HISTOGRAM,
  ask,
  contention,
  cpuSeconds,
  machine,
  stackCredentials,
  startGatewayProcess,
  startSubscriberWorker,
  waitForIngest,
  writeResult,
  type SubscriberReport,
  type WorkerCommand,
} from './gateway-harness.ts';

/**
 * Hot-topic benchmark (design §7): N subscribers on one topic, R inserts/s into realtime.messages, and
 * the time from the database commit to the subscriber's decoded callback.
 *
 *   node --import tsx load/gateway-latency.ts [--subscribers 1000] [--rate 200] [--seconds 20] [--workers 2]
 *                                             [--sample-every 10] [--profile-gateway <dir>]
 *
 * Needs a running stack (`npm start`) or PLATER_DB_URL + PLATER_JWT_SECRET. The gateway runs in its own
 * process (load/gateway-serve.ts) with its own replication slot; subscribers are raw `ws` sockets spread
 * over worker threads; every socket counts its deliveries, one in `--sample-every` decodes each frame with
 * realtime-js's Serializer and measures latency (see gateway-subscribers.ts for why not all of them).
 *
 * "Commit" is the payload's `t`, written by the inserting statement as clock_timestamp(): the last moment
 * before the commit that the database can stamp (same host clock as the subscribers).
 */

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'sample-every': { type: 'string', default: '10' },
    'profile-gateway': { type: 'string' },
  },
});
const subscribers = Number(values.subscribers);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const workerCount = Number(values.workers);
const sampleEvery = Number(values['sample-every']);
const topic = `bench-${process.pid}`;

const credentials = stackCredentials();
const apikey = await signApiKey(credentials.jwtSecret, 'anon', Math.floor(Date.now() / 1000));
const gateway = await startGatewayProcess(
  credentials,
  { PLATER_REALTIME_MAX_JOINS_PER_SECOND: '100000', PLATER_REALTIME_JOIN_ERROR_BACKOFF_MS: '0' },
  { profileDir: values['profile-gateway'] },
);
await waitForIngest(gateway);
console.log(`gateway pid ${gateway.pid} at ${gateway.url}; opening ${subscribers} subscribers…`);

const workers = Array.from({ length: workerCount }, (_, index) => {
  const count = Math.floor(subscribers / workerCount) + (index < subscribers % workerCount ? 1 : 0);
  return startSubscriberWorker({ url: gateway.url, apikey, topic, count, sampleEvery, join: true });
});
await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
console.log(`${subscribers} subscribers joined realtime:${topic}`);

const sql = postgres(credentials.dbUrl, { max: 4, onnotice: () => {} });
// A realistic KDS item envelope (docs/topics.md), about 330 bytes of JSON.
const body = {
  seq: 0,
  ts: 0,
  type: 'item',
  id: '6f1c2b7a-1d2e-4c5b-9a8f-0e1d2c3b4a59',
  version: 3,
  order_id: '0a9e3c1d-2b4f-4e6a-8c7d-5f3e2a1b0c9d',
  table: 'T12',
  course: 1,
  name: 'Ribeye 300g',
  qty: 1,
  modifiers: ['medium rare', 'no butter'],
  notes: 'allergy: shellfish',
  allergens: ['dairy'],
  status: 'pending',
  fired_at: '2026-11-27T12:00:00Z',
};

/** When each `tick` commit was acknowledged to the inserter (epoch ms), by seq. */
const acks = new Float64Array(rate * seconds + 2);

async function insertAt(count: number, event: string): Promise<{ sent: number; failed: number; behindMs: number }> {
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  let failed = 0;
  let behindMs = 0;
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else behindMs = Math.max(behindMs, -wait);
    const seq = i + 1;
    pending.push(
      sql`insert into realtime.messages (topic, extension, event, private, payload)
          values (${topic}, 'broadcast', ${event}, false,
                  ${sql.json({ ...body, seq })}::jsonb
                  || jsonb_build_object('t', extract(epoch from clock_timestamp()) * 1000))`.then(
        () => (acks[seq] = performance.timeOrigin + performance.now()),
        () => failed++,
      ),
    );
  }
  await Promise.all(pending);
  return { sent: count - failed, failed, behindMs: Math.round(behindMs) };
}

await insertAt(rate * warmupSeconds, 'warmup');
const contentionBefore = contention();
const harnessCpuBefore = cpuSeconds(process.pid);
const cpuBefore = cpuSeconds(gateway.pid);
const wallBefore = performance.now();
const inserted = await insertAt(rate * seconds, 'tick');
const expected = inserted.sent * subscribers;
let received = 0;
for (let waited = 0; waited < 15_000 && received < expected; waited += 250) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  received = (await ask<{ received: number }>(workers, { type: 'count' })).reduce((sum, r) => sum + r.received, 0);
}
const cpuAfter = cpuSeconds(gateway.pid);
const harnessCpuAfter = cpuSeconds(process.pid);
const wall = (performance.now() - wallBefore) / 1000;

const final = await ask<SubscriberReport>(workers, { type: 'report', acks });
const merge = (pick: (r: SubscriberReport) => string) => {
  const merged = hdr.build(HISTOGRAM);
  for (const report of final) merged.add(hdr.decodeFromCompressedBase64(pick(report)));
  const ms = (percentile: number) => Math.round(merged.getValueAtPercentile(percentile)) / 1000;
  return {
    samples: merged.totalCount,
    p50: ms(50),
    p95: ms(95),
    p99: ms(99),
    p999: ms(99.9),
    max: ms(100),
    mean: Math.round(merged.mean) / 1000,
  };
};
const metrics = await gateway.metrics();

const result = {
  scenario: 'hot topic: DB commit → client callback',
  date: new Date().toISOString(),
  machine: machine(),
  contention: { before: contentionBefore, after: contention() },
  parameters: {
    subscribers,
    insertsPerSecond: rate,
    seconds,
    warmupSeconds,
    workers: workerCount,
    sampleEvery,
    vsn: '2.0.0',
  },
  inserts: inserted,
  deliveries: {
    expected,
    received,
    ratio: expected === 0 ? 0 : received / expected,
    perSecond: Math.round(received / seconds),
  },
  latencyMs: {
    /** Commit acknowledged to the inserter → decoded in the subscriber: the headline figure. */
    commitAckToCallback: merge((r) => r.ack),
    /** clock_timestamp() in the inserting statement → callback: adds the commit's WAL flush. */
    statementToCallback: merge((r) => r.stamp),
    deliveredBeforeAckSeen: final.reduce((sum, r) => sum + r.beforeAck, 0),
  },
  /** Subscribers, decoding and the inserter share this process (main thread + workers). */
  harnessCpuPercentOfOneCore: Math.round(((harnessCpuAfter - harnessCpuBefore) / wall) * 100),
  gateway: {
    cpuPercentOfOneCore: Math.round(((cpuAfter - cpuBefore) / wall) * 100),
    rssBytes: metrics.process.rssBytes,
    drops: metrics.drops,
    ingestLagMs: metrics.ingest.lagMs,
    socketsOpen: final.reduce((sum, r) => sum + r.open, 0),
  },
};
console.log(JSON.stringify(result, null, 2));
console.log(`written to ${writeResult('gateway-latency', result)}`);

for (const w of workers) w.postMessage({ type: 'close' } satisfies WorkerCommand);
await sql.end();
await gateway.stop();
