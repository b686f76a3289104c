// The client library's own figures: heap per client with five scopes open, the change rate one client
// absorbs without falling behind, and the time from a cut connection to live again with every gap healed, for
// 1 and for 500 clients at once (under the gateway's default join limit). Appends one record to load/results/.
//
//   node --expose-gc --import tsx load/client-bench.ts [--heap-clients 50] [--heal-clients 1,500] [--only heap,absorb,heal]
//
// Runs against the stack the PLATER_* variables name, else starts one of its own (load/bench/stack.ts).
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import postgres, { type Sql } from 'postgres';
import WebSocket from 'ws';
import {
  createPlaterClient,
  type PlaterClient,
  type RealtimeLink,
  type ScopeHandle,
  type ScopeKey,
} from '../client/src/index.ts';
import { watchContention } from './bench/contention.ts';
import { appendRecord, gitInfo, machineInfo, RECORD_SCHEMA, versions } from './bench/record.ts';
import { type BenchStack, endpointsFromEnv, externalStack, OwnedStack } from './bench/stack.ts';
import { summarize } from './bench/stats.ts';
import { apiTarget, CutProxy } from './client-proxy.ts';

const BISTRO = '00000000-0000-4000-8000-00000000b001';
const GRILL = '00000000-0000-4000-8000-00000000b0a1';
const BURGER = '00000000-0000-4000-8000-00000000b302';
const FRIES = '00000000-0000-4000-8000-00000000b307';
const KDS_GRILL = `kds:${BISTRO}:${GRILL}`;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] ?? fallback : fallback;
}
const only = new Set(arg('only', 'heap,absorb,heal').split(','));
const heapClients = Number(arg('heap-clients', '50'));
const healClients = arg('heal-clients', '1,500').split(',').map(Number);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) collect();
}

async function signIn(stack: BenchStack, email: string): Promise<string> {
  const auth = createClient(stack.apiUrl, stack.anonKey, { auth: { persistSession: false }, realtime: { transport: WebSocket as never } });
  const { data, error } = await auth.auth.signInWithPassword({ email, password: 'plater-demo' });
  if (error || !data.session) throw new Error(`sign-in of ${email}: ${error?.message}`);
  return data.session.access_token;
}

function plater(url: string, anonKey: string, token: string, extra: Partial<Parameters<typeof createPlaterClient>[0]> = {}): PlaterClient {
  return createPlaterClient({ supabaseUrl: url, anonKey, accessToken: async () => token, transport: WebSocket, storage: null, ...extra });
}

/** Open work for the screens: `orders` orders of a burger and fries on throw-away tables of the bistro. */
async function openWork(sql: Sql, manager: PlaterClient, orders: number, lines = 2): Promise<string[]> {
  const itemIds: string[] = [];
  const created = createdOrders.get(manager) ?? [];
  createdOrders.set(manager, created);
  for (let i = 0; i < orders; i++) {
    const [table] = await sql<{ id: string }[]>`
      insert into public.dining_tables (restaurant_id, label, seats) values (${BISTRO}, ${`cb-${randomUUID().slice(0, 8)}`}, 4) returning id`;
    await manager.mutations.seatTable({ tableId: table!.id, partySize: 2 });
    const placed = await manager.mutations.placeOrder({
      tableId: table!.id,
      items: Array.from({ length: lines }, (_, n) => ({ menuItemId: n % 2 === 0 ? BURGER : FRIES, qty: 1 })),
    });
    itemIds.push(...(placed.items as { id: string }[]).map((item) => item.id));
    created.push((placed.order as { id: string }).id);
  }
  return itemIds;
}

/** Orders a run placed, cancelled at its end so every run starts from the same open work. */
const createdOrders = new Map<PlaterClient, string[]>();
async function cancelWork(manager: PlaterClient): Promise<void> {
  for (const orderId of createdOrders.get(manager) ?? []) {
    await manager.mutations.cancelOrder({ orderId, reason: 'client bench' }).catch(() => {});
  }
}

/** Five scopes of a manager: the first two stations' KDS, expo, floor, admin. */
async function fiveScopes(stack: BenchStack, token: string): Promise<ScopeKey[]> {
  const client = plater(stack.apiUrl, stack.anonKey, token);
  const session = await client.session();
  await client.close();
  const [a, b] = session.stations;
  return [{ scope: 'kds', stationId: a!.id }, { scope: 'kds', stationId: b!.id }, { scope: 'expo' }, { scope: 'floor' }, { scope: 'admin' }];
}

async function topicHead(sql: Sql, topic: string): Promise<number> {
  const [row] = await sql<{ seq: string }[]>`select plater_private.topic_head(${topic}) as seq`;
  return Number(row!.seq);
}

// ---- heap per client with five scopes ----

async function heapPerClient(stack: BenchStack, token: string, n: number, scopes: ScopeKey[]) {
  gc();
  const before = process.memoryUsage();
  const clients: PlaterClient[] = [];
  const handles: ScopeHandle<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const client = plater(stack.apiUrl, stack.anonKey, token);
    clients.push(client);
    for (const key of scopes) handles.push(client.open(key) as ScopeHandle<unknown>);
  }
  await Promise.all(handles.map((handle) => handle.ready()));
  for (const handle of handles) handle.getView();
  gc();
  const after = process.memoryUsage();
  const rows = handles.slice(0, 5).map((handle) => JSON.stringify(handle.getView()).length);
  await Promise.all(clients.map((client) => client.close()));
  const baseline = await heapOfBareSupabase(stack, token, n, scopes);
  return {
    clients: n,
    bareSupabaseJsHeapBytesPerClient: baseline,
    heapBytesPerClient: Math.round((after.heapUsed - before.heapUsed) / n),
    rssBytesPerClient: Math.round((after.rss - before.rss) / n),
    externalBytesPerClient: Math.round((after.external - before.external) / n),
    viewJsonBytesPerScope: rows,
  };
}

/** For comparison: the official client alone, one socket and the same five private channels joined, no data. */
async function heapOfBareSupabase(stack: BenchStack, token: string, n: number, scopes: ScopeKey[]): Promise<number> {
  const session = await plater(stack.apiUrl, stack.anonKey, token).session();
  const restaurant = session.restaurant.id;
  gc();
  const before = process.memoryUsage().heapUsed;
  const clients = [];
  const joins: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const client = createClient(stack.apiUrl, stack.anonKey, { accessToken: async () => token, realtime: { transport: WebSocket as never } });
    clients.push(client);
    await client.realtime.setAuth();
    for (const topic of scopes.map((key) => (key.scope === 'kds' ? `kds:${restaurant}:${key.stationId}` : `${key.scope}:${restaurant}`))) {
      joins.push(new Promise((resolve) => {
        client.channel(topic, { config: { private: true } }).on('broadcast', { event: '*' }, () => {}).subscribe((status) => {
          if (status === 'SUBSCRIBED') resolve();
        });
      }));
    }
  }
  await Promise.all(joins);
  gc();
  const perClient = Math.round((process.memoryUsage().heapUsed - before) / n);
  for (const client of clients) {
    await client.removeAllChannels();
    client.realtime.disconnect();
  }
  return perClient;
}

// ---- changes one client absorbs ----

/** Through the stack: bulk updates on the grill topic at stepped rates; the client's applied rate and lag. */
async function absorbThroughStack(stack: BenchStack, sql: Sql, token: string, itemIds: string[]) {
  const client = plater(stack.apiUrl, stack.anonKey, token);
  const kds = client.open({ scope: 'kds', stationId: GRILL });
  await kds.ready();
  let notifications = 0;
  let views = 0;
  kds.subscribe(() => {
    notifications++;
    kds.getView();
    views++;
  });
  const grillItems = itemIds; // every item is a grill burger here
  const steps = [];
  for (const rate of [500, 1000, 2000, 4000, 8000]) {
    const tickMs = 20;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    const startHead = await topicHead(sql, KDS_GRILL);
    const startSeq = kds.seq;
    const started = performance.now();
    let cursor = 0;
    let lagSamples: number[] = [];
    for (let due = started; due < started + 5000; due += tickMs) {
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const batch = Array.from({ length: perTick }, () => grillItems[cursor++ % grillItems.length]!);
      await sql`update public.order_items set status = (case status::text when 'preparing' then 'ready' else 'preparing' end)::public.item_status
                where id in ${sql(batch)}`;
      if ((cursor / perTick) % 25 === 0) lagSamples.push((await topicHead(sql, KDS_GRILL)) - kds.seq);
    }
    const windowMs = performance.now() - started;
    const head = await topicHead(sql, KDS_GRILL);
    const lagAtEnd = head - kds.seq;
    const drainStarted = performance.now();
    await until(() => kds.seq >= head, 60_000, 'the client to drain');
    const drainMs = performance.now() - drainStarted;
    const applied = kds.seq - startSeq;
    steps.push({
      targetPerSecond: rate,
      publishedPerSecond: Math.round(((head - startHead) * 1000) / windowMs),
      appliedPerSecond: Math.round((applied * 1000) / (windowMs + drainMs)),
      lagAtEnd,
      maxLagSampled: Math.max(0, ...lagSamples),
      drainMs: Math.round(drainMs),
    });
    lagSamples = [];
    await sleep(500);
  }
  await client.close();
  return { steps, notifications, views };
}

/** In process, no network: the client's own ceiling (store, view, coalesced notifications) fed as fast as it takes. */
async function absorbInProcess(count: number) {
  const topic = KDS_GRILL;
  let handlers: Parameters<RealtimeLink['join']>[1] | null = null;
  const link: RealtimeLink = {
    join: (_topic, h) => {
      handlers = h;
      queueMicrotask(() => h.status('joined'));
      return { leave: () => {}, send: async () => {}, track: async () => {} };
    },
    refreshAuth: async () => {},
    close: async () => {},
  };
  const session = {
    user_id: 'u', staff: { user_id: 'u', restaurant_id: BISTRO, role: 'cook', station_id: GRILL, display_name: 'bench' },
    restaurant: { id: BISTRO, name: 'b' }, stations: [], scopes: [],
  };
  const answer = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
  const fetchStub = (async (input: string | URL) => {
    const url = String(input);
    if (url.includes('/session')) return answer(session);
    if (url.includes('/snapshot')) return answer({ topic, epoch: 'e', seq: 0, data: { items: [] } });
    return answer({ status: 'ok', topic, epoch: 'e', last_seq: 0, events: [], more: false });
  }) as typeof fetch;
  const client = createPlaterClient(
    { supabaseUrl: 'http://in-process', anonKey: 'k', accessToken: async () => 't', fetch: fetchStub, storage: null },
    { link },
  );
  const kds = client.open({ scope: 'kds', stationId: GRILL });
  await kds.ready();
  let notifications = 0;
  kds.subscribe(() => {
    notifications++;
    kds.getView(); // a screen re-renders from the view on every notification
  });
  const items = 200; // open items on the screen
  const started = performance.now();
  for (let seq = 1; seq <= count; seq++) {
    const id = `item-${seq % items}`;
    handlers!.message('item', {
      seq, ts: Date.now(), type: 'item', id, version: Math.ceil(seq / items), order_id: `order-${seq % 40}`, table: 'T1',
      course: 1, name: 'Burger', qty: 1, modifiers: [], notes: null, allergens: [], status: seq % 2 ? 'preparing' : 'ready',
      rush: false, fired_at: null, started_at: null, ready_at: null,
    });
    if (seq % 500 === 0) await new Promise((resolve) => setImmediate(resolve)); // let timers (notifications) run
  }
  await sleep(300);
  const seconds = (performance.now() - started) / 1000;
  const applied = kds.seq;
  await client.close();
  return { messages: count, applied, perSecond: Math.round(applied / seconds), notifications, openItems: items };
}

// ---- cut connection → live with every gap healed ----

async function healAfterCut(stack: BenchStack, sql: Sql, token: string, n: number, itemIds: string[]) {
  const proxy = await new CutProxy(apiTarget(stack.apiUrl)).start();
  const clients: PlaterClient[] = [];
  const handles: ScopeHandle<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const client = plater(proxy.url, stack.anonKey, token);
    clients.push(client);
    handles.push(client.open({ scope: 'kds', stationId: GRILL }) as ScopeHandle<unknown>);
  }
  const joinStarted = performance.now();
  await Promise.all(handles.map((handle) => handle.ready()));
  const firstJoinMs = performance.now() - joinStarted;
  await sleep(6000); // the join-rate window (5 s) the first joins used is clear again
  const done = new Float64Array(n).fill(Number.NaN);
  const cutAt = performance.now();
  const severed = proxy.sever();
  // changes nobody could receive: every client now has a gap to heal
  for (let i = 0; i < 20; i++) {
    await sql`update public.order_items set status = (case status::text when 'preparing' then 'ready' else 'preparing' end)::public.item_status
              where id = ${itemIds[i % itemIds.length]!}`;
  }
  const head = await topicHead(sql, KDS_GRILL);
  await until(() => {
    const now = performance.now();
    let pending = 0;
    handles.forEach((handle, i) => {
      if (!Number.isNaN(done[i]!)) return;
      if (handle.status === 'live' && handle.seq >= head && clients[i]!.health.get().status === 'live') done[i] = now - cutAt;
      else pending++;
    });
    return pending === 0;
  }, 180_000, `${n} clients to heal`);
  const reconnects = clients.reduce((sum, client) => sum + client.health.get().reconnects, 0);
  await Promise.all(clients.map((client) => client.close()));
  await proxy.close();
  const summary = summarize(done);
  return { clients: n, severedConnections: severed, firstJoinMs: Math.round(firstJoinMs), reconnects, healMs: summary };
}

async function main(): Promise<void> {
  const env = endpointsFromEnv();
  const stack: BenchStack = env ? externalStack(env) : await OwnedStack.start();
  const sql = postgres(stack.dbUrl, { max: 2, onnotice: () => {} });
  const contention = watchContention(() => []);
  const startedAt = new Date().toISOString();
  const data: Record<string, unknown> = {};
  const figures: Record<string, { label: string; value: number | null; unit: string }> = {};
  try {
    const managerToken = await signIn(stack, 'manager@bistro.test');
    const manager = plater(stack.apiUrl, stack.anonKey, managerToken);
    const work = await openWork(sql, manager, 10);
    if (only.has('heap')) {
      const heap = await heapPerClient(stack, managerToken, heapClients, await fiveScopes(stack, managerToken));
      data.heap = heap;
      figures.heapPerClient = { label: `heap per client, 5 scopes open, 20 open items (${heapClients} clients)`, value: heap.heapBytesPerClient, unit: 'B' };
      console.log('heap', heap);
      const emptyToken = await signIn(stack, 'manager@diner.test');
      const empty = await heapPerClient(stack, emptyToken, heapClients, await fiveScopes(stack, emptyToken));
      data.heapEmpty = empty;
      figures.heapPerClientEmpty = { label: 'heap per client, 5 scopes open, no open work', value: empty.heapBytesPerClient, unit: 'B' };
      figures.heapBareSupabase = { label: 'heap per client of supabase-js alone, same 5 channels', value: empty.bareSupabaseJsHeapBytesPerClient, unit: 'B' };
      console.log('heap, empty restaurant', empty);
    }
    if (only.has('absorb')) {
      const inProcess = await absorbInProcess(200_000);
      data.absorbInProcess = inProcess;
      figures.absorbInProcess = { label: 'changes/s one client applies, in process (no network)', value: inProcess.perSecond, unit: '/s' };
      console.log('absorb in process', inProcess);
      const burgers = await openWork(sql, manager, 2, 100).then((ids) => ids.filter((_, i) => i % 2 === 0));
      const stacked = await absorbThroughStack(stack, sql, managerToken, burgers);
      data.absorbThroughStack = stacked;
      const kept = stacked.steps.filter((step) => step.drainMs < 1000).at(-1);
      figures.absorbThroughStack = { label: 'changes/s one client kept up with through the stack (drained < 1 s)', value: kept?.publishedPerSecond ?? null, unit: '/s' };
      console.log('absorb through the stack', stacked);
    }
    if (only.has('heal')) {
      const cookToken = await signIn(stack, 'cook.grill@bistro.test');
      const grillItems = work.filter((_, i) => i % 2 === 0);
      for (const n of healClients) {
        const heal = await healAfterCut(stack, sql, cookToken, n, grillItems);
        data[`heal${n}`] = heal;
        figures[`heal${n}Max`] = { label: `cut → live, gaps healed, ${n} client(s): slowest`, value: heal.healMs.max, unit: 'ms' };
        figures[`heal${n}P50`] = { label: `cut → live, gaps healed, ${n} client(s): median`, value: heal.healMs.p50, unit: 'ms' };
        console.log(`heal ${n}`, heal);
      }
    }
    await cancelWork(manager);
    await manager.close();
  } finally {
    await sql.end();
    await stack.stop();
  }
  const file = appendRecord({
    schema: RECORD_SCHEMA,
    scenario: 'client',
    runId: randomUUID(),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    versions: versions(null),
    git: gitInfo(),
    parameters: { heapClients, healClients, only: [...only] },
    contention: contention(),
    figures,
    bottleneck: 'see data: in-process figures are the client alone; through-the-stack figures include Postgres, the gateway and the load generator on the same 2 cores',
    cpuPercentOfOneCore: {},
    data,
  });
  console.log(`written ${file}`);
  process.exit(0);
}

await main();
