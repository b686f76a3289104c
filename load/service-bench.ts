import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import postgres, { type Sql } from 'postgres';
import WebSocket from 'ws';
import { signApiKey } from '../stack/api-keys.ts';
import { clientDecode, signAccessToken } from '../stack/testing/index.ts';
import { DEFAULTS } from '../stack/config.ts';
import { runningStack } from '../stack/state.ts';
import { staggeredHeartbeats } from './heartbeats.ts';
import { seedOrderHistory } from './bench/order-history.ts';
import { raisedLimits } from './bench/limits.ts';
import { actingAs, CYCLE_STEPS, runCycleStep, type CycleTable } from './bench/table-cycle.ts';
import { cpuDelta, otherDecoders, postgresCpu, postmasterPid } from './postgres-cpu.ts';
import {
  HISTOGRAM,
  ask,
  contention,
  cpuSeconds,
  machine,
  stackCredentials,
  repoRoot,
  stackGateway,
  startGatewayProcess,
  waitForIngest,
  writeResult,
} from './gateway-harness.ts';

/**
 * "Realistic service" benchmark (TARGETS.service in k6/scenarios.js): many restaurants, subscribers spread over
 * their private topics, and a writer driving the real write RPCs at an open-loop rate.
 *
 *   node --import tsx load/service-bench.ts [--restaurants 100] [--sockets 10000] [--rate 500] [--seconds 30]
 *                                           [--warmup 3] [--workers 2] [--sample-every 10] [--pool 16]
 *                                           [--gateway stack|own] [--gateway-pid N] [--joins-per-second N]
 *
 * Gateway: by default the stack's own (its API process, `apiPid` in the stack's state file, or
 * `--gateway-pid`), so the WAL is decoded once, as on hosted Supabase; sockets then join at
 * `--joins-per-second` (90, under its default budget of 100 signed-in joins a second). `--gateway own` starts
 * a second gateway with raised join limits instead (joins unpaced), and the stack's gateway decodes the same
 * WAL beside it, a cost no figure is charged with (docs/decisions.md, 2026-12-01).
 *
 * The script creates its own throw-away restaurants (names start with `svcbench-`, users' emails with
 * `svcbench-`), each with 4 stations, a manager, an expo, a cook per station, 4 servers, 8 tables, a menu and
 * past service (closed orders: bench/order-history.ts says why a benchmark needs them); it deletes them at the
 * end, and at the start if a previous run died. Topics per restaurant: kds per station,
 * expo, floor, admin and one per server (11; 1 100 for 100 restaurants). Socket k joins topic k mod #topics as
 * a private channel with the access token of a staff member allowed to read it.
 *
 * The writer runs table cycles — seat_table, place_order (2 items), start_item ×2, finish_item ×2,
 * mark_served, clear_table — each call in one transaction as the staff member (`set_config('role',
 * 'authenticated', true)` + `request.jwt.claims`, one Query message like the functions layer sends), open
 * loop, round-robin over idle tables interleaved across restaurants (a table runs one step at a time).
 *
 * Latency: arrival (decoded with realtime-js's Serializer, one socket in `--sample-every`) − the envelope's
 * `ts`, which `plater_private.publish_many` stamps with clock_timestamp() inside the writing transaction (integer
 * ms, truncated, so up to 1 ms pessimistic; it precedes the commit by the rest of the transaction).
 * Loss: every socket reads every frame's `seq`; expected per socket is its topic's `topic_seq` after the run
 * minus before the first write, so gaps and a missing tail both count.
 */

const PREFIX = 'svcbench-';
const STATIONS = 4;
const SERVERS = 4;
const TABLES = 8;

interface SocketSpec {
  readonly topic: number;
  readonly token: string;
}

interface WorkerConfig {
  readonly url: string;
  readonly apikey: string;
  readonly topics: string[];
  readonly sockets: SocketSpec[];
  readonly sampleEvery: number;
  /** This worker's share of the join rate; 0: as fast as the batches go. */
  readonly joinsPerSecond: number;
}

type Command = { type: 'count' } | { type: 'reset' } | { type: 'report' } | { type: 'close' };

interface WorkerReport {
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

if (isMainThread) await main();
else await subscriberWorker();

// ───────────────────────────── subscriber worker ─────────────────────────────

async function subscriberWorker(): Promise<void> {
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
      `${config.url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${config.apikey}&vsn=2.0.0`,
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
}

// ───────────────────────────── main thread ─────────────────────────────

/** The pid of the stack's API process, which runs its gateway. */
function stackProcess(given: string | undefined): number {
  if (given) return Number(given);
  const state = runningStack(process.env.PLATER_DATA_DIR ?? join(repoRoot, DEFAULTS.dataDir));
  if (!state?.apiPid) throw new Error("cannot find the stack's API process (no running stack.json): pass --gateway-pid, or --gateway own");
  return state.apiPid;
}

/** Busy share of all CPUs since the previous reading, from /proc/stat (Linux). */
function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, v) => sum + v, 0);
  const idle = fields[3]! + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Deletes every throw-away row of this benchmark (restaurants cascade to everything they own). */
async function cleanup(sql: Sql): Promise<number> {
  const ids = (await sql<{ id: string }[]>`select id from public.restaurants where name like ${PREFIX + '%'}`).map(
    (r) => r.id,
  );
  if (ids.length > 0) {
    await sql`delete from plater_private.topic_log where split_part(topic, ':', 2) = any(${ids}::text[])`;
    await sql`delete from plater_private.topic_seq where split_part(topic, ':', 2) = any(${ids}::text[])`;
    await sql`delete from realtime.messages where split_part(topic, ':', 2) = any(${ids}::text[])`;
    await sql`delete from public.restaurants where id = any(${ids}::uuid[])`;
  }
  await sql`delete from auth.users where email like ${PREFIX + '%'}`;
  return ids.length;
}

/**
 * Vacuums what the previous run deleted and analyses what this one seeded, before anything is measured. Left to
 * autovacuum, both would land inside the measured window: a bench-only cost (a running service never deletes a
 * hundred restaurants' rows at once).
 */
async function settle(sql: Sql): Promise<void> {
  await sql.unsafe(`vacuum (analyze) auth.users, public.restaurants, public.stations, public.staff, public.dining_tables,
    public.menu_items, public.orders, public.order_items, public.status_history, plater_private.topic_seq,
    plater_private.topic_log, realtime.messages`);
}

interface Restaurant {
  id: string;
  manager: string;
  expo: string;
  stations: string[];
  cooks: string[];
  servers: string[];
  tables: string[];
  /** Two menu items per station. */
  menu: { id: string; station: number }[];
}

async function seed(sql: Sql, count: number): Promise<Restaurant[]> {
  const restaurants: Restaurant[] = Array.from({ length: count }, () => ({
    id: randomUUID(),
    manager: randomUUID(),
    expo: randomUUID(),
    stations: Array.from({ length: STATIONS }, () => randomUUID()),
    cooks: Array.from({ length: STATIONS }, () => randomUUID()),
    servers: Array.from({ length: SERVERS }, () => randomUUID()),
    tables: Array.from({ length: TABLES }, () => randomUUID()),
    menu: Array.from({ length: STATIONS * 2 }, (_, k) => ({ id: randomUUID(), station: k % STATIONS })),
  }));
  const users: { id: string; email: string }[] = [];
  const staff: { user_id: string; restaurant_id: string; role: string; station_id: string | null; display_name: string }[] = [];
  restaurants.forEach((r, n) => {
    const add = (id: string, role: string, label: string, station: string | null) => {
      users.push({ id, email: `${PREFIX}${n}-${label}@bench.test` });
      staff.push({ user_id: id, restaurant_id: r.id, role, station_id: station, display_name: label });
    };
    add(r.manager, 'manager', 'manager', null);
    add(r.expo, 'expo', 'expo', null);
    r.cooks.forEach((id, k) => add(id, 'cook', `cook${k}`, r.stations[k]!));
    r.servers.forEach((id, k) => add(id, 'server', `server${k}`, null));
  });
  await sql.begin(async (tx) => {
    for (let i = 0; i < users.length; i += 1000) await tx`insert into auth.users ${tx(users.slice(i, i + 1000))}`;
    await tx`insert into public.restaurants ${tx(restaurants.map((r, n) => ({ id: r.id, name: `${PREFIX}${n}` })))}`;
    await tx`insert into public.stations ${tx(
      restaurants.flatMap((r) => r.stations.map((id, k) => ({ id, restaurant_id: r.id, slug: `s${k}`, name: `Station ${k}` }))),
    )}`;
    for (let i = 0; i < staff.length; i += 1000) await tx`insert into public.staff ${tx(staff.slice(i, i + 1000))}`;
    await tx`insert into public.dining_tables ${tx(
      restaurants.flatMap((r) => r.tables.map((id, k) => ({ id, restaurant_id: r.id, label: `T${k + 1}`, seats: 4 }))),
    )}`;
    await tx`insert into public.menu_items ${tx(
      restaurants.flatMap((r) =>
        r.menu.map((m, k) => ({
          id: m.id,
          restaurant_id: r.id,
          station_id: r.stations[m.station]!,
          name: `Dish ${k}`,
          price_cents: 1000 + k,
        })),
      ),
    )}`;
  });
  return restaurants;
}

/** One table's service cycle, driven by the writer. */
interface TableState extends CycleTable {
  step: number;
  busy: boolean;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      restaurants: { type: 'string', default: '100' },
      sockets: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '3' },
      workers: { type: 'string', default: '2' },
      'sample-every': { type: 'string', default: '10' },
      pool: { type: 'string', default: '16' },
      gateway: { type: 'string', default: 'stack' },
      'gateway-pid': { type: 'string' },
      'joins-per-second': { type: 'string', default: '90' },
    },
  });
  const restaurantCount = Number(values.restaurants);
  const socketCount = Number(values.sockets);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const warmupSeconds = Number(values.warmup);
  const workerCount = Number(values.workers);
  const sampleEvery = Number(values['sample-every']);
  // Bounded: seeding, joins, warm-up, the run and the drain take a few minutes at most. A stuck run gives up
  // (its gateway child dies with it; the next run deletes the throw-away restaurants first).
  const budgetMs = (warmupSeconds + seconds) * 1000 + 240_000;
  setTimeout(() => {
    console.error(`service bench: gave up after ${budgetMs / 1000} s`);
    process.exit(2);
  }, budgetMs).unref();

  const credentials = stackCredentials();
  const sql = postgres(credentials.dbUrl, { max: Number(values.pool), onnotice: () => {} });
  const leftovers = await cleanup(sql);
  if (leftovers > 0) console.log(`deleted ${leftovers} restaurants left by an earlier run`);
  let gateway: Awaited<ReturnType<typeof startGatewayProcess>> | undefined;
  let workers: Worker[] = [];
  try {
    const restaurants = await seed(sql, restaurantCount);
    await seedOrderHistory(sql, restaurants.map((r) => r.id));
    await settle(sql);
    console.log(`created ${restaurantCount} restaurants`);

    // Topics and who reads each.
    const topics: string[] = [];
    const readers: string[] = [];
    for (const r of restaurants) {
      r.stations.forEach((s, k) => (topics.push(`kds:${r.id}:${s}`), readers.push(r.cooks[k]!)));
      topics.push(`expo:${r.id}`), readers.push(r.expo);
      topics.push(`floor:${r.id}`), readers.push(r.servers[0]!);
      topics.push(`admin:${r.id}`), readers.push(r.manager);
      for (const s of r.servers) topics.push(`server:${r.id}:${s}`), readers.push(s);
    }
    const emails = new Map<string, string>();
    restaurants.forEach((r, n) => {
      emails.set(r.manager, `${PREFIX}${n}-manager@bench.test`);
      emails.set(r.expo, `${PREFIX}${n}-expo@bench.test`);
      r.cooks.forEach((id, k) => emails.set(id, `${PREFIX}${n}-cook${k}@bench.test`));
      r.servers.forEach((id, k) => emails.set(id, `${PREFIX}${n}-server${k}@bench.test`));
    });
    const tokens = new Map<string, string>();
    for (const [id, email] of emails) tokens.set(id, await signAccessToken(credentials.jwtSecret, { id, email }));

    const apikey = await signApiKey(credentials.jwtSecret, 'anon', Math.floor(Date.now() / 1000));
    gateway =
      values.gateway === 'own'
        ? await startGatewayProcess(credentials, raisedLimits('service-own-gateway'))
        : await stackGateway(credentials, stackProcess(values['gateway-pid']));
    await waitForIngest(gateway);
    console.log(`gateway pid ${gateway.pid}; opening ${socketCount} sockets over ${topics.length} private topics…`);

    // Socket k reads topic k mod #topics; worker w holds sockets w, w + W, … (so each worker spans all topics).
    const socketTopic = Array.from({ length: socketCount }, (_, k) => k % topics.length);
    const workerSockets = Array.from({ length: workerCount }, (_, w) =>
      socketTopic.map((_, k) => k).filter((k) => k % workerCount === w),
    );
    const entry = new URL(import.meta.url).href;
    const joinStart = performance.now();
    workers = workerSockets.map(
      (ks) =>
        new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
          {
            eval: true,
            workerData: {
              url: gateway!.url,
              apikey,
              topics,
              sockets: ks.map((k) => ({ topic: socketTopic[k]!, token: tokens.get(readers[socketTopic[k]!]!)! })),
              sampleEvery,
              joinsPerSecond: values.gateway === 'own' ? 0 : Number(values['joins-per-second']) / workerCount,
            } satisfies WorkerConfig,
          },
        ),
    );
    const ready = await Promise.all(
      workers.map((w) => new Promise<{ joinErrors: number }>((resolve) => w.once('message', resolve))),
    );
    const joinErrors = ready.reduce((sum, r) => sum + r.joinErrors, 0);
    const joinSeconds = (performance.now() - joinStart) / 1000;
    console.log(`${socketCount} sockets joined in ${joinSeconds.toFixed(1)} s (${joinErrors} join errors)`);

    const seqs = async () =>
      new Map(
        (
          await sql<{ topic: string; last_seq: string }[]>`
            select topic, last_seq from plater_private.topic_seq where topic = any(${topics}::text[])`
        ).map((row) => [row.topic, Number(row.last_seq)]),
      );
    const baseline = await seqs();

    // ── the writer ──
    const as = actingAs(sql);
    let menuCursor = 0;
    const tables: TableState[] = [];
    for (let k = 0; k < TABLES; k++) {
      for (const r of restaurants) {
        tables.push({
          id: r.tables[k]!,
          server: r.servers[k % SERVERS]!,
          nextDishes: () => [r.menu[menuCursor++ % r.menu.length]!.id, r.menu[menuCursor++ % r.menu.length]!.id],
          cookAt: (station) => r.cooks[r.stations.indexOf(station)]!,
          step: 0,
          busy: false,
        });
      }
    }
    const mutationLatency = hdr.build(HISTOGRAM);
    const failures: Record<string, number> = {};
    let cursor = 0;

    async function drive(count: number): Promise<{ sent: number; failed: number; skipped: number; behindMs: number }> {
      const start = performance.now();
      const pending: Promise<unknown>[] = [];
      let failed = 0;
      let skipped = 0;
      let behindMs = 0;
      for (let i = 0; i < count; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        else behindMs = Math.max(behindMs, -wait);
        // Open loop: the next idle table gets this slot; a table runs one step at a time.
        let t: TableState | undefined;
        for (let probe = 0; probe < tables.length && !t; probe++) {
          const candidate = tables[cursor++ % tables.length]!;
          if (!candidate.busy) t = candidate;
        }
        if (!t) {
          skipped++;
          continue;
        }
        const table = t;
        table.busy = true;
        const issued = performance.now();
        pending.push(
          runCycleStep(as, table, table.step).then(
            () => {
              mutationLatency.recordValue(Math.max(1, Math.round((performance.now() - issued) * 1000)));
              table.step = (table.step + 1) % CYCLE_STEPS.length;
              table.busy = false;
            },
            (error: { code?: string; message?: string }) => {
              failed++;
              const key = `${CYCLE_STEPS[table.step]}: ${error.code ?? ''} ${error.message ?? error}`;
              failures[key] = (failures[key] ?? 0) + 1;
              table.busy = false;
            },
          ),
        );
      }
      await Promise.all(pending);
      return { sent: count - failed - skipped, failed, skipped, behindMs: Math.round(behindMs) };
    }

    console.log(`warming up for ${warmupSeconds} s, then ${rate} mutations/s for ${seconds} s…`);
    await drive(rate * warmupSeconds);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await ask<unknown, Command>(workers, { type: 'reset' });
    mutationLatency.reset();
    const contentionBefore = contention();
    const machineBefore = cpuTimes();
    const harnessCpuBefore = cpuSeconds(process.pid);
    const gatewayCpuBefore = cpuSeconds(gateway.pid);
    const postmaster = await postmasterPid(sql);
    const ignoredDecoders = await otherDecoders(sql, gateway.slot);
    const postgresCpuBefore = postgresCpu(postmaster, ignoredDecoders);
    const receivedBefore = (await ask<{ received: number }, Command>(workers, { type: 'count' })).reduce((s, r) => s + r.received, 0);
    const wallBefore = performance.now();
    const written = await drive(rate * seconds);
    const writeSeconds = (performance.now() - wallBefore) / 1000;

    const final = await seqs();
    const expectedPerTopic = topics.map((topic) => (final.get(topic) ?? 0) - (baseline.get(topic) ?? 0));
    const expected = socketTopic.reduce((sum, topic) => sum + expectedPerTopic[topic]!, 0);
    let received = 0;
    for (let waited = 0; waited < 15_000; waited += 250) {
      received = (await ask<{ received: number }, Command>(workers, { type: 'count' })).reduce((s, r) => s + r.received, 0);
      if (received >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const wall = (performance.now() - wallBefore) / 1000;
    const gatewayCpu = cpuSeconds(gateway.pid) - gatewayCpuBefore;
    const harnessCpu = cpuSeconds(process.pid) - harnessCpuBefore;
    const postgresSpent = cpuDelta(postgresCpu(postmaster, ignoredDecoders), postgresCpuBefore);
    const machineAfter = cpuTimes();
    const contentionAfter = contention();
    const metrics = await gateway.metrics();

    const reports = await ask<WorkerReport, Command>(workers, { type: 'report' });
    const merged = hdr.build(HISTOGRAM);
    for (const report of reports) merged.add(hdr.decodeFromCompressedBase64(report.latency));
    const ms = (percentile: number) => Math.round(merged.getValueAtPercentile(percentile)) / 1000;
    const mutationMs = (percentile: number) => Math.round(mutationLatency.getValueAtPercentile(percentile)) / 1000;

    // Loss per socket: distinct seqs the topic published since the baseline that the socket never got.
    let lost = 0;
    let gapsTotal = 0;
    let duplicatesTotal = 0;
    let socketsWithLoss = 0;
    const topicsWithLoss = new Set<number>();
    reports.forEach((report, w) => {
      workerSockets[w]!.forEach((k, i) => {
        const distinct = report.perSocketReceived[i]! - report.perSocketDuplicates[i]!;
        const missing = Math.max(0, expectedPerTopic[socketTopic[k]!]! - distinct);
        gapsTotal += report.perSocketGaps[i]!;
        duplicatesTotal += report.perSocketDuplicates[i]!;
        if (missing > 0) {
          lost += missing;
          socketsWithLoss++;
          topicsWithLoss.add(socketTopic[k]!);
        }
      });
    });
    const publishedMessages = expectedPerTopic.reduce((s, v) => s + v, 0);

    const result = {
      scenario: 'realistic service: private topics over many restaurants, write RPCs, DB → client callback',
      date: new Date().toISOString(),
      machine: machine(),
      contention: { before: contentionBefore, after: contentionAfter },
      parameters: {
        restaurants: restaurantCount,
        sockets: socketCount,
        topics: topics.length,
        socketsPerTopic: socketCount / topics.length,
        mutationsPerSecond: rate,
        seconds,
        warmupSeconds,
        workers: workerCount,
        sampleEvery,
        writerPool: Number(values.pool),
        gateway: values.gateway === 'own' ? 'own' : 'stack',
        vsn: '2.0.0',
      },
      joins: { seconds: Math.round(joinSeconds * 10) / 10, errors: joinErrors },
      mutations: {
        ...written,
        perSecond: Math.round(written.sent / writeSeconds),
        latencyMs: { p50: mutationMs(50), p95: mutationMs(95), p99: mutationMs(99), max: mutationMs(100) },
        failures,
      },
      published: { messages: publishedMessages, perSecond: Math.round(publishedMessages / writeSeconds) },
      deliveries: {
        /** Measured window (after warm-up), including the drain after the last write. */
        received: received - receivedBefore,
        perSecond: Math.round((received - receivedBefore) / writeSeconds),
        /** Since the first write (warm-up included): what the loss count compares. */
        expectedSinceFirstWrite: expected,
        receivedSinceFirstWrite: received,
        lost,
        gaps: gapsTotal,
        duplicates: duplicatesTotal,
        socketsWithLoss,
        topicsWithLoss: topicsWithLoss.size,
      },
      latencyMs: {
        /** Envelope `ts` (clock_timestamp() in the writing transaction) → decoded callback, sampled sockets. */
        tsToCallback: {
          samples: merged.totalCount,
          p50: ms(50),
          p95: ms(95),
          p99: ms(99),
          p999: ms(99.9),
          max: ms(100),
          mean: Math.round(merged.mean) / 1000,
        },
      },
      cpuPercentOfOneCore: {
        gateway: Math.round((gatewayCpu / wall) * 100),
        /** Writer, subscribers and decoding share this process (main thread + workers). */
        harness: Math.round((harnessCpu / wall) * 100),
        /** This cluster's processes (pool backends, walsenders, autovacuum, checkpointer, …). */
        postgres: Math.round((postgresSpent.total / wall) * 100),
        postgresMsPerMutation: Math.round((postgresSpent.total / written.sent) * 1e5) / 100,
        /** The same, by kind of process. */
        postgresMsPerMutationBy: Object.fromEntries(
          Object.entries(postgresSpent).map(([k, v]) => [k, Math.round((v / written.sent) * 1e5) / 100]),
        ),
        /** Every process on the machine (Postgres, gateway, harness, anything else), all cores. */
        machineBusyPercentOfAllCores: Math.round(
          ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
        ),
      },
      gateway: {
        rssBytes: metrics.process.rssBytes,
        drops: metrics.drops,
        ingestLagMs: metrics.ingest.lagMs,
        socketsOpen: reports.reduce((sum, r) => sum + r.open, 0),
        socketErrors: reports.reduce((sum, r) => sum + r.errors, 0),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`written to ${writeResult('service-bench', result)}`);
  } finally {
    for (const w of workers) w.postMessage({ type: 'close' } satisfies Command);
    await gateway?.stop();
    const removed = await cleanup(sql);
    console.log(`deleted ${removed} benchmark restaurants`);
    await sql.end();
  }
}
