import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { machine, stackCredentials, writeResult } from './gateway-harness.ts';
import { median } from './bench/stats.ts';
import { seedOrderHistory } from './bench/order-history.ts';
import { removeBenchRestaurants, seedBenchRestaurants, type BenchRestaurant } from './bench/bench-restaurants.ts';

/**
 * What one write RPC costs Postgres, by RPC (issue 8's "per-write Postgres CPU"): the service benchmark's
 * table cycle (seat, order of 2 items, start ×2, finish ×2, serve, clear) run by ONE connection, one step
 * across every table at a time, charging each step the CPU its backend used (/proc). One writer on an
 * otherwise idle database measures the work itself, not the queueing and cache contention of a busy
 * machine (the service benchmark's per-write figure includes those, and logical decoding; this one does not).
 *
 *   npm run -s bench:write-cost -- [--restaurants 40] [--cycles 3] [--runs 5] [--label 'what differs']
 *
 * Each run is `--cycles` whole cycles over every table, after one warm-up cycle; the result gives every run
 * and their min / median / max. Runs against the stack `npm start` runs (or PLATER_DB_URL and
 * PLATER_JWT_SECRET), on throw-away restaurants it deletes again.
 */

const PREFIX = 'writecost-';
const TABLES = 8;
const STEPS = ['seat_table', 'place_order', 'start_item', 'start_item', 'finish_item', 'finish_item', 'mark_served', 'clear_table'];

interface Table {
  readonly restaurant: BenchRestaurant;
  readonly id: string;
  readonly server: string;
  order?: string;
  items?: { id: string; cook: string }[];
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const { values } = parseArgs({
  options: {
    restaurants: { type: 'string', default: '40' },
    cycles: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
    // What was different about the database measured (an experiment: load/README.md, "write cost").
    label: { type: 'string', default: 'as migrated' },
  },
});
const credentials = stackCredentials();
const sql = postgres(credentials.dbUrl, { max: 1, onnotice: () => {} });
await removeBenchRestaurants(sql, PREFIX);
try {
  const restaurants = await seedBenchRestaurants(sql, credentials.jwtSecret, PREFIX, Number(values.restaurants), 20, TABLES);
  await seedOrderHistory(sql, restaurants.map((r) => r.id));
  await sql`vacuum analyze`;
  const pid = (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
  const tables: Table[] = restaurants.flatMap((r) => {
    const servers = r.staff.filter((s) => s.role === 'server');
    return r.tables.map((id, k) => ({ restaurant: r, id, server: servers[k % servers.length]!.id }));
  });
  const cookOf = (r: BenchRestaurant, station: string) =>
    (r.staff.find((s) => s.role === 'cook' && s.station === station) ?? r.staff.find((s) => s.role === 'manager')!).id;
  const as = async <T>(user: string, statement: string): Promise<T> => {
    const claims = JSON.stringify({ sub: user, role: 'authenticated' });
    const sets = (await sql.unsafe(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '${claims}', true), set_config('request.jwt.claim.sub', '${user}', true);\n${statement}`,
    )) as unknown as { result: T }[][];
    return sets[sets.length - 1]![0]!.result;
  };
  let menuCursor = 0;
  const step = async (t: Table, k: number): Promise<void> => {
    const r = t.restaurant;
    if (k === 0) await as(t.server, `select public.seat_table('${t.id}', 2) as result`);
    else if (k === 1) {
      const items = [0, 1].map(() => ({ menu_item_id: r.menu[menuCursor++ % r.menu.length]!.id, qty: 1, modifiers: ['no salt'], notes: 'bench' }));
      const placed = await as<{ order: { id: string }; items: { id: string; station_id: string }[] }>(
        t.server,
        `select public.place_order('${t.id}', '${JSON.stringify(items)}'::jsonb) as result`,
      );
      t.order = placed.order.id;
      t.items = placed.items.map((i) => ({ id: i.id, cook: cookOf(r, i.station_id) }));
    } else if (k <= 3) await as(t.items![k - 2]!.cook, `select public.start_item('${t.items![k - 2]!.id}') as result`);
    else if (k <= 5) await as(t.items![k - 4]!.cook, `select public.finish_item('${t.items![k - 4]!.id}') as result`);
    else if (k === 6) await as(t.server, `select public.mark_served('${t.order!}') as result`);
    else await as(t.server, `select public.clear_table('${t.id}') as result`);
  };

  /** CPU seconds and calls per RPC over `cycles` cycles. */
  const measure = async (cycles: number): Promise<Map<string, { seconds: number; calls: number }>> => {
    const spent = new Map<string, { seconds: number; calls: number }>();
    for (let cycle = 0; cycle < cycles; cycle++) {
      for (let k = 0; k < STEPS.length; k++) {
        const before = cpuSecondsOf(pid);
        for (const t of tables) await step(t, k);
        const rpc = spent.get(STEPS[k]!) ?? { seconds: 0, calls: 0 };
        rpc.seconds += cpuSecondsOf(pid) - before;
        rpc.calls += tables.length;
        spent.set(STEPS[k]!, rpc);
      }
    }
    return spent;
  };
  const msPer = (s: { seconds: number; calls: number }) => Number(((s.seconds * 1000) / s.calls).toFixed(3));

  await measure(1); // plans and caches warm up
  const runs = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const spent = await measure(Number(values.cycles));
    const all = [...spent.values()].reduce((sum, s) => ({ seconds: sum.seconds + s.seconds, calls: sum.calls + s.calls }));
    runs.push({ writes: all.calls, backendMsPerWrite: msPer(all), backendMsByRpc: Object.fromEntries([...spent].map(([name, s]) => [name, msPer(s)])) });
    console.log(`run ${run + 1}: ${msPer(all)} ms of backend CPU per write`);
  }
  const perWrite = runs.map((r) => r.backendMsPerWrite);
  const result = {
    scenario: 'write-cost',
    label: values.label,
    at: new Date().toISOString(),
    parameters: { restaurants: restaurants.length, tables: tables.length, cycles: Number(values.cycles) },
    machine: machine(),
    backendMsPerWrite: { min: Math.min(...perWrite), median: median(perWrite), max: Math.max(...perWrite) },
    runs,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${writeResult('write-cost', result)}`);
} finally {
  await removeBenchRestaurants(sql, PREFIX);
  await sql.end();
}
