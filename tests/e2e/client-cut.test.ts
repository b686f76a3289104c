// A client whose connections are cut mid-stream (a TCP proxy of the test's own between it and the stack) ends
// with every seq of its topic applied exactly once, in order, and the same rows as the database.
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_MENU } from '../helpers/seed.ts';
import { BISTRO, EMAILS, ownerDb, ownTable, STATIONS, testStack } from './functions-helpers.ts';
import { apiTarget, CutProxy, seqProblems, type Staff, staffClient, waitUntil } from './client-helpers.ts';

const TOPIC = `kds:${BISTRO}:${STATIONS.grill}`;
let sql: Sql;
let proxy: CutProxy;
let cook: Staff;
let server: Staff;

beforeAll(async () => {
  const env = testStack();
  sql = ownerDb();
  proxy = await new CutProxy(apiTarget(env.apiUrl)).start();
  [cook, server] = await Promise.all([
    staffClient(env.apiUrl, env.anonKey, EMAILS.grill, {
      via: proxy.url,
      reconnect: { baseMs: 50, maxMs: 500 },
      retry: { baseMs: 50, maxMs: 500 },
      pollAfterMs: 60_000,
    }),
    staffClient(env.apiUrl, env.anonKey, EMAILS.ana),
  ]);
});
afterAll(async () => {
  await Promise.all([cook?.plater.close(), server?.plater.close()]);
  await proxy?.close();
  await sql?.end();
});

async function topicHead(): Promise<number> {
  const [row] = await sql<{ seq: string }[]>`select plater_private.topic_head(${TOPIC}) as seq`;
  return Number(row!.seq);
}

describe('a client cut off mid-stream', () => {
  it('applies every seq exactly once and ends with the database rows', { timeout: 120_000 }, async () => {
    const table = await ownTable(sql);
    await server.plater.mutations.seatTable({ tableId: table.id, partySize: 4 });
    const placed = await server.plater.mutations.placeOrder({
      tableId: table.id,
      items: [SEED_MENU.burger, SEED_MENU.ribeye, SEED_MENU.burger, SEED_MENU.ribeye].map((menuItemId) => ({ menuItemId, qty: 1 })),
    });
    const ids = (placed.items as { id: string }[]).map((i) => i.id);
    const kds = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill });
    await kds.ready();

    // 240 changes to the grill topic, with the client's connections cut five times along the way
    let severed = 0;
    for (let i = 0; i < 240; i++) {
      const id = ids[i % ids.length]!;
      await sql`update public.order_items set status = (case status::text
                  when 'pending' then 'preparing' when 'preparing' then 'ready' else 'preparing' end)::public.item_status
                where id = ${id}`;
      if (i % 48 === 20) severed += proxy.sever();
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(severed).toBeGreaterThan(0);

    const head = await topicHead();
    await waitUntil(() => kds.seq >= head && kds.status === 'live', `the client at seq ${head}`, 60_000);
    expect(seqProblems(cook.trace, TOPIC)).toEqual([]);
    const applied = cook.trace.filter((e) => e.topic === TOPIC && e.kind === 'apply').map((e) => e.seq);
    expect(applied.at(-1)).toBe(head);
    expect(cook.plater.health.get().reconnects).toBeGreaterThan(0);

    const rows = await sql<{ id: string; status: string; version: number }[]>`
      select id, status::text, version from public.order_items where id in ${sql(ids)}`;
    const shown = new Map(kds.getView().tickets.flatMap((t) => t.items).map((i) => [i.id, [i.status, i.version]]));
    for (const row of rows) expect(shown.get(row.id)).toEqual([row.status, row.version]);
    kds.release();
  });
});
