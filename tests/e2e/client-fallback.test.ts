// The client through a TCP proxy of the test's own: while the realtime gateway cannot be reached (sockets
// refused, HTTP fine) it polls catch-up and still shows changes; when the gateway is back it hands over to the
// socket again.
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
      pollAfterMs: 500,
      pollIntervalMs: 200,
      reconnect: { baseMs: 200, maxMs: 1000 },
      retry: { baseMs: 50, maxMs: 500 },
    }),
    staffClient(env.apiUrl, env.anonKey, EMAILS.ana),
  ]);
});
afterAll(async () => {
  await Promise.all([cook?.plater.close(), server?.plater.close()]);
  await proxy?.close();
  await sql?.end();
});

describe('polling fallback', () => {
  it('takes over while the gateway is unreachable and hands back when it returns', { timeout: 60_000 }, async () => {
    const table = await ownTable(sql);
    await server.plater.mutations.seatTable({ tableId: table.id, partySize: 2 });
    const kds = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill });
    await kds.ready();
    expect(cook.plater.health.get().status).toBe('live');
    const statuses: string[] = [];
    cook.plater.health.subscribe((health) => statuses.push(health.status));

    proxy.blockRealtime = true;
    expect(proxy.sever('realtime')).toBeGreaterThan(0);
    await waitUntil(() => cook.plater.health.get().status === 'polling', 'the client to poll');
    const placed = await server.plater.mutations.placeOrder({ tableId: table.id, items: [{ menuItemId: SEED_MENU.burger, qty: 1 }] });
    const burger = (placed.items as { id: string }[])[0]!.id;
    await waitUntil(() => kds.getView().tickets.some((t) => t.items.some((i) => i.id === burger)), 'the order to arrive by polling');
    // it did come by polling: no socket got through meanwhile
    expect([...proxy.pairs].filter((pair) => pair.realtime)).toHaveLength(0);
    expect(cook.plater.health.get().status).toBe('polling');

    proxy.blockRealtime = false;
    await waitUntil(() => cook.plater.health.get().status === 'live', 'the socket to take over again');
    expect([...proxy.pairs].filter((pair) => pair.realtime)).toHaveLength(1);
    await sql`update public.order_items set status = 'preparing' where id = ${burger}`;
    await waitUntil(() => kds.getView().tickets.flatMap((t) => t.items).find((i) => i.id === burger)?.status === 'preparing', 'a change over the socket');
    expect(statuses).toContain('polling');
    await waitUntil(() => statuses.at(-1) === 'live', 'health listeners told it is live again');
    expect(seqProblems(cook.trace, TOPIC)).toEqual([]);
    kds.release();
  });
});
