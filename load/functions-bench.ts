/**
 * Edge-function benchmark (not a test): mutation latency at a fixed arrival rate, and snapshot revalidations
 * (304) per second. Runs against a running stack (`npx plater start`, or the PLATER_* variables).
 *
 *   npx tsx load/functions-bench.ts [--rate 200] [--seconds 30] [--warmup 3] [--items 60]
 *                                   [--revalidate-seconds 10] [--concurrency 64]
 *
 * Mutations: open loop — request i is due at start + i/rate whether or not earlier ones have answered, so a slow
 * server cannot slow the load down (no coordinated omission); latency is measured from the due time. Each request
 * is a kitchen move (finish ⇄ recall, alternating per item, round robin over --items started items of one order)
 * through /functions/v1/kitchen with its own Idempotency-Key: a full mutation (key claim, RPC, status trigger,
 * order roll-up, four topic publishes, key store) per request.
 * Revalidation: --concurrency closed loops GET /functions/v1/snapshot?topic=floor:… with the current ETag in
 * If-None-Match for --revalidate-seconds; every answer must be 304.
 *
 * Prints a summary and writes it as JSON to load/results/functions-bench-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import hdr from 'hdr-histogram-js';
import postgres from 'postgres';
import { Http, signIn, stackEnv } from './functions-env.ts';

const BISTRO = '00000000-0000-4000-8000-00000000b001';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    items: { type: 'string', default: '60' },
    'revalidate-seconds': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const ITEMS = Number(args.items);
const REVALIDATE_SECONDS = Number(args['revalidate-seconds']);
const CONCURRENCY = Number(args.concurrency);

function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}
type Histogram = ReturnType<typeof histogram>;

function summary(h: Histogram) {
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    count: h.totalCount,
    p50_ms: ms(h.getValueAtPercentile(50)),
    p95_ms: ms(h.getValueAtPercentile(95)),
    p99_ms: ms(h.getValueAtPercentile(99)),
    max_ms: ms(h.maxValue),
    mean_ms: ms(h.mean),
  };
}

function countStatus(counts: Record<string, number>, status: number | string): void {
  counts[String(status)] = (counts[String(status)] ?? 0) + 1;
}

async function main(): Promise<void> {
  const env = stackEnv();
  const http = new Http(env.apiUrl);
  const sql = postgres(env.dbUrl, { max: 1, onnotice: () => {} });
  const manager = await signIn(http, env.anonKey, 'manager@bistro.test');
  const expo = await signIn(http, env.anonKey, 'expo@bistro.test');
  const server = await signIn(http, env.anonKey, 'server.ana@bistro.test');
  const headers = (token: string, extra: Record<string, string> = {}) => ({
    apikey: env.anonKey,
    authorization: `Bearer ${token}`,
    ...extra,
  });
  const mutate = async (token: string, path: string, body: unknown = {}) => {
    const answer = await http.send('POST', `/functions/v1/${path}`, headers(token, { 'idempotency-key': randomUUID() }), body);
    if (answer.status >= 300) throw new Error(`setup ${path}: ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as Record<string, any>;
  };

  // ---- setup (reads from the database; every write through the functions) ----
  const [table] = await sql<{ id: string; label: string }[]>`
    select id, label from public.dining_tables where restaurant_id = ${BISTRO} and status = 'free'
     order by length(label) desc, label desc limit 1`;
  if (!table) throw new Error('no free table in the demo bistro');
  const menu = await sql<{ id: string }[]>`
    select id from public.menu_items where restaurant_id = ${BISTRO} and active order by name`;
  await sql.end();
  await mutate(server, `tables/${table.id}/seat`, { party_size: 4 });
  const placed = await mutate(server, 'orders', {
    table_id: table.id,
    items: Array.from({ length: ITEMS }, (_, i) => ({ menu_item_id: menu[i % menu.length]!.id, qty: 1 })),
  });
  const orderId: string = placed.order.id;
  const itemIds: string[] = placed.items.map((item: { id: string }) => item.id);
  for (const id of itemIds) await mutate(expo, `kitchen/items/${id}/start`);
  console.log(`setup: table ${table.label}, order ${orderId} with ${itemIds.length} started items`);

  // ---- mutations: open loop at RATE/s ----
  const latency = histogram(); // from the due time (includes any queueing behind the generator)
  const service = histogram(); // from the moment the request was handed to the socket
  const statuses: Record<string, number> = {};
  const nextAction = itemIds.map(() => 'finish' as 'finish' | 'recall');
  const total = Math.round(RATE * (WARMUP + SECONDS));
  const warmupCount = Math.round(RATE * WARMUP);
  const intervalMs = 1000 / RATE;
  const inflight = new Set<Promise<void>>();
  let lateStarts = 0;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -intervalMs) lateStarts += 1;
    const slot = i % itemIds.length;
    const action = nextAction[slot]!;
    nextAction[slot] = action === 'finish' ? 'recall' : 'finish';
    const sent = performance.now();
    const p = http
      .send('POST', `/functions/v1/kitchen/items/${itemIds[slot]}/${action}`, headers(expo, { 'idempotency-key': randomUUID() }), {})
      .then(
        (answer) => answer.status,
        (error: Error) => `error:${error.message}`,
      )
      .then((status) => {
        const done = performance.now();
        if (i >= warmupCount) {
          latency.recordValue(Math.max(1, Math.round((done - due) * 1000)));
          service.recordValue(Math.max(1, Math.round((done - sent) * 1000)));
          countStatus(statuses, status);
        }
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  const mutationElapsed = (performance.now() - started) / 1000 - WARMUP;
  const mutations = {
    target_rate: RATE,
    seconds: SECONDS,
    achieved_rate: Math.round((latency.totalCount / mutationElapsed) * 10) / 10,
    late_starts: lateStarts,
    statuses,
    latency: summary(latency),
    service_time: summary(service),
  };
  console.log('mutations', JSON.stringify(mutations, null, 2));

  // ---- cleanup: the manager cancels the order (items were started), the server clears the table ----
  await mutate(manager, `orders/${orderId}/cancel`, { reason: 'benchmark' });
  await mutate(server, `tables/${table.id}/clear`);

  // ---- revalidation: CONCURRENCY closed loops of conditional GETs ----
  const topic = `floor:${BISTRO}`;
  const path = `/functions/v1/snapshot?topic=${encodeURIComponent(topic)}`;
  const first = await http.send('GET', path, headers(server));
  const etag = String(first.headers.etag);
  const revalidation = histogram();
  const revalidationStatuses: Record<string, number> = {};
  const deadline = performance.now() + REVALIDATE_SECONDS * 1000;
  const revalidationStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const conditional = headers(server, { 'if-none-match': etag });
      while (performance.now() < deadline) {
        const sent = performance.now();
        const answer = await http.send('GET', path, conditional).catch((error: Error) => ({ status: `error:${error.message}` }));
        revalidation.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000)));
        countStatus(revalidationStatuses, answer.status);
      }
    }),
  );
  const revalidationElapsed = (performance.now() - revalidationStarted) / 1000;
  const notModified = revalidationStatuses['304'] ?? 0;
  const revalidations = {
    topic,
    concurrency: CONCURRENCY,
    seconds: Math.round(revalidationElapsed * 100) / 100,
    per_second_304: Math.round(notModified / revalidationElapsed),
    statuses: revalidationStatuses,
    latency: summary(revalidation),
  };
  console.log('revalidations', JSON.stringify(revalidations, null, 2));
  http.close();

  const result = {
    benchmark: 'functions',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg_after: loadavg() },
    api_url: env.apiUrl,
    targets: { mutation_p95_ms: 20, revalidations_per_second: 5000 },
    mutations,
    revalidations,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}functions-bench-${result.at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nmutation p50 ${mutations.latency.p50_ms} ms, p95 ${mutations.latency.p95_ms} ms, p99 ${mutations.latency.p99_ms} ms at ${mutations.achieved_rate}/s (target p95 <= 20 ms at 200/s)`);
  console.log(`304 revalidations: ${revalidations.per_second_304}/s (target >= 5000/s)`);
  console.log(`written to ${file}`);
}

await main();
