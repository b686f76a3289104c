/**
 * Edge-function benchmark (not a test): mutation latency at a fixed arrival rate, and snapshot revalidations
 * (304) per second. Runs against a running stack (`npx plater start`, or the PLATER_* variables).
 *
 *   npx tsx load/functions-bench.ts [--rate 200] [--seconds 30] [--warmup 3] [--items 60]
 *                                   [--revalidate-seconds 10] [--concurrency 64] [--only mutations|revalidations]
 *
 * Mutations: open loop — request i is due at start + i/rate whether or not earlier ones have answered, so a slow
 * server cannot slow the load down (no coordinated omission); latency is measured from the due time. Each request
 * is a kitchen move (finish ⇄ recall, alternating per item, round robin over --items started items of one order)
 * through /functions/v1/kitchen with its own Idempotency-Key: a full mutation (key claim, RPC, status trigger,
 * order roll-up, four topic publishes, key store) per request.
 * Revalidation: --concurrency closed loops GET /functions/v1/snapshot?topic=floor:… with the current ETag in
 * If-None-Match for --revalidate-seconds, each on its own keep-alive connection, one request at a time (a lean
 * raw HTTP/1.1 client: the generator shares the machine); every answer must be 304.
 *
 * When the stack's state is readable (PLATER_DATA_DIR, default .stack) it also reports the CPU milliseconds each
 * part spent per request (API server, function workers, Postgres, this generator): on a shared 2-core machine that,
 * not the wall clock alone, shows what a figure is bound by.
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
import { type CpuSample, cpuPerRequest, StackCpu } from './functions-cpu.ts';
import { Http, signIn, stackEnv } from './functions-env.ts';
import { RepeatingRequest } from './functions-http1.ts';

const BISTRO = '00000000-0000-4000-8000-00000000b001';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    items: { type: 'string', default: '60' },
    'revalidate-seconds': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
    only: { type: 'string' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const ITEMS = Number(args.items);
const REVALIDATE_SECONDS = Number(args['revalidate-seconds']);
const CONCURRENCY = Number(args.concurrency);
const RUN_MUTATIONS = args.only !== 'revalidations';
const RUN_REVALIDATIONS = args.only !== 'mutations';

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

interface Context {
  env: ReturnType<typeof stackEnv>;
  http: Http;
  cpu: StackCpu | undefined;
  tokens: { manager: string; expo: string; server: string };
  headers: (token: string, extra?: Record<string, string>) => Record<string, string>;
  mutate: (token: string, path: string, body?: unknown) => Promise<Record<string, any>>;
}

/** A table seated, an order of ITEMS lines placed and started: items to move back and forth. */
async function setupKitchen(ctx: Context) {
  const sql = postgres(ctx.env.dbUrl, { max: 1, onnotice: () => {} });
  const [table] = await sql<{ id: string; label: string }[]>`
    select id, label from public.dining_tables where restaurant_id = ${BISTRO} and status = 'free'
     order by length(label) desc, label desc limit 1`;
  if (!table) throw new Error('no free table in the demo bistro');
  const menu = await sql<{ id: string }[]>`
    select id from public.menu_items where restaurant_id = ${BISTRO} and active order by name`;
  await sql.end();
  await ctx.mutate(ctx.tokens.server, `tables/${table.id}/seat`, { party_size: 4 });
  const placed = await ctx.mutate(ctx.tokens.server, 'orders', {
    table_id: table.id,
    items: Array.from({ length: ITEMS }, (_, i) => ({ menu_item_id: menu[i % menu.length]!.id, qty: 1 })),
  });
  const orderId: string = placed.order.id;
  const itemIds: string[] = placed.items.map((item: { id: string }) => item.id);
  for (const id of itemIds) await ctx.mutate(ctx.tokens.expo, `kitchen/items/${id}/start`);
  console.log(`setup: table ${table.label}, order ${orderId} with ${itemIds.length} started items`);
  return {
    itemIds,
    /** the manager cancels the order (its items were started), the server clears the table */
    cleanup: async () => {
      await ctx.mutate(ctx.tokens.manager, `orders/${orderId}/cancel`, { reason: 'benchmark' });
      await ctx.mutate(ctx.tokens.server, `tables/${table.id}/clear`);
    },
  };
}

/** Open loop at RATE/s: request i is due at start + i/RATE, sent then whatever happened before. */
async function runMutations(ctx: Context) {
  const { itemIds, cleanup } = await setupKitchen(ctx);
  const latency = histogram(); // from the due time (includes any queueing behind the generator)
  const service = histogram(); // from the moment the request was handed to the socket
  const statuses: Record<string, number> = {};
  const perSecond: number[][] = []; // latency samples by second of the run, to see whether slowness is a stall
  const nextAction = itemIds.map(() => 'finish' as 'finish' | 'recall');
  const total = Math.round(RATE * (WARMUP + SECONDS));
  const warmupCount = Math.round(RATE * WARMUP);
  const intervalMs = 1000 / RATE;
  const inflight = new Set<Promise<void>>();
  let lateStarts = 0;
  let cpuBefore: CpuSample | undefined;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -intervalMs) lateStarts += 1;
    if (i === warmupCount) cpuBefore = ctx.cpu?.sample();
    const slot = i % itemIds.length;
    const action = nextAction[slot]!;
    nextAction[slot] = action === 'finish' ? 'recall' : 'finish';
    const sent = performance.now();
    const p = ctx.http
      .send('POST', `/functions/v1/kitchen/items/${itemIds[slot]}/${action}`, ctx.headers(ctx.tokens.expo, { 'idempotency-key': randomUUID() }), {})
      .then(
        (answer) => answer.status,
        (error: Error) => `error:${error.message}`,
      )
      .then((status) => {
        const done = performance.now();
        if (i >= warmupCount) {
          const second = Math.floor((due - started) / 1000);
          (perSecond[second] ??= []).push(done - due);
          latency.recordValue(Math.max(1, Math.round((done - due) * 1000)));
          service.recordValue(Math.max(1, Math.round((done - sent) * 1000)));
          countStatus(statuses, status);
        }
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000 - WARMUP;
  const cpu = ctx.cpu && cpuBefore ? cpuPerRequest(cpuBefore, ctx.cpu.sample(), total - warmupCount) : undefined;
  await cleanup();
  return {
    target_rate: RATE,
    seconds: SECONDS,
    achieved_rate: Math.round((latency.totalCount / elapsed) * 10) / 10,
    late_starts: lateStarts,
    statuses,
    latency: summary(latency),
    service_time: summary(service),
    cpu_ms_per_request: cpu,
    p95_ms_by_second: perSecond.filter(Boolean).map((samples) => {
      const sorted = samples.sort((a, b) => a - b);
      return Math.round(sorted[Math.floor(sorted.length * 0.95)]! * 10) / 10;
    }),
  };
}

/** CONCURRENCY closed loops of conditional GETs on one snapshot; all should be 304. */
async function runRevalidations(ctx: Context) {
  const topic = `floor:${BISTRO}`;
  const path = `/functions/v1/snapshot?topic=${encodeURIComponent(topic)}`;
  const first = await ctx.http.send('GET', path, ctx.headers(ctx.tokens.server));
  const etag = String(first.headers.etag);
  const revalidation = histogram();
  const statuses: Record<string, number> = {};
  const deadline = performance.now() + REVALIDATE_SECONDS * 1000;
  const cpuBefore = ctx.cpu?.sample();
  const started = performance.now();
  const url = new URL(ctx.env.apiUrl);
  const request = RepeatingRequest.build('GET', path, url.host, ctx.headers(ctx.tokens.server, { 'if-none-match': etag }));
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const connection = new RepeatingRequest(url.hostname, Number(url.port), request);
      while (performance.now() < deadline) {
        const sent = performance.now();
        const status = await connection.send().catch((error: Error) => `error:${error.message}`);
        revalidation.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000)));
        countStatus(statuses, status);
      }
      connection.close();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const count = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    topic,
    concurrency: CONCURRENCY,
    seconds: Math.round(elapsed * 100) / 100,
    per_second_304: Math.round((statuses['304'] ?? 0) / elapsed),
    statuses,
    latency: summary(revalidation),
    cpu_ms_per_request: ctx.cpu && cpuBefore ? cpuPerRequest(cpuBefore, ctx.cpu.sample(), count) : undefined,
  };
}

async function main(): Promise<void> {
  const env = stackEnv();
  const dataDir = process.env.PLATER_DATA_DIR ?? fileURLToPath(new URL('../.stack', import.meta.url));
  const http = new Http(env.apiUrl);
  const headers = (token: string, extra: Record<string, string> = {}) => ({
    apikey: env.anonKey,
    authorization: `Bearer ${token}`,
    ...extra,
  });
  const ctx: Context = {
    env,
    http,
    cpu: StackCpu.fromDataDir(dataDir),
    tokens: {
      manager: await signIn(http, env.anonKey, 'manager@bistro.test'),
      expo: await signIn(http, env.anonKey, 'expo@bistro.test'),
      server: await signIn(http, env.anonKey, 'server.ana@bistro.test'),
    },
    headers,
    mutate: async (token, path, body = {}) => {
      const answer = await http.send('POST', `/functions/v1/${path}`, headers(token, { 'idempotency-key': randomUUID() }), body);
      if (answer.status >= 300) throw new Error(`setup ${path}: ${answer.status} ${answer.body}`);
      return JSON.parse(answer.body) as Record<string, any>;
    },
  };

  const mutations = RUN_MUTATIONS ? await runMutations(ctx) : undefined;
  if (mutations) console.log('mutations', JSON.stringify(mutations, null, 2));
  const revalidations = RUN_REVALIDATIONS ? await runRevalidations(ctx) : undefined;
  if (revalidations) console.log('revalidations', JSON.stringify(revalidations, null, 2));
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
  if (mutations) {
    console.log(`\nmutation p50 ${mutations.latency.p50_ms} ms, p95 ${mutations.latency.p95_ms} ms, p99 ${mutations.latency.p99_ms} ms at ${mutations.achieved_rate}/s (target p95 <= 20 ms at 200/s)`);
  }
  if (revalidations) console.log(`304 revalidations: ${revalidations.per_second_304}/s (target >= 5000/s)`);
  console.log(`written to ${file}`);
}

await main();
