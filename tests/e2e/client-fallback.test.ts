// The client through a TCP proxy of the test's own: while the realtime gateway cannot be reached (sockets
// refused, HTTP fine) it polls catch-up and still shows changes; when the gateway is back it hands over to the
// socket again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_MENU } from '../helpers/seed.ts'
import { BISTRO, STATIONS } from './functions-helpers.ts'
import { type Scene, scene, seqProblems, waitUntil } from './client-helpers.ts'
import { buildTopic } from '../../contract/topics.ts'

const TOPIC = buildTopic({ kind: 'kds', restaurant: BISTRO, station: STATIONS.grill })
let s: Scene
beforeAll(async () => {
  s = await scene({
    pollAfterMs: 500,
    pollIntervalMs: 200,
    reconnect: { baseMs: 200, maxMs: 1000 },
    retry: { baseMs: 50, maxMs: 500 },
  })
})
afterAll(async () => {
  await s?.close()
})

describe('polling fallback', () => {
  it(
    'takes over while the gateway is unreachable and hands back when it returns',
    { timeout: 60_000 },
    async () => {
      const { sql, proxy, cook, server } = s
      const { tableId } = await s.order([SEED_MENU.fries]) // a seated table of Ana's (fries: not on the grill screen)
      const kds = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill })
      await kds.ready()
      await waitUntil(() => cook.plater.health.get().status === 'live', 'the client live')
      const statuses: string[] = []
      cook.plater.health.subscribe((health) => statuses.push(health.status))

      proxy.blockRealtime = true
      expect(proxy.sever('realtime')).toBeGreaterThan(0)
      await waitUntil(() => cook.plater.health.get().status === 'polling', 'the client to poll')
      const placed = await server.plater.mutations.placeOrder({
        tableId,
        items: [{ menuItemId: SEED_MENU.burger, qty: 1 }],
      })
      const burger = (placed.items as { id: string }[])[0]!.id
      await waitUntil(
        () => kds.getView().tickets.some((t) => t.items.some((i) => i.id === burger)),
        'the order to arrive by polling',
      )
      // it did come by polling: no socket got through meanwhile
      expect([...proxy.pairs].filter((pair) => pair.realtime)).toHaveLength(0)
      expect(cook.plater.health.get().status).toBe('polling')

      proxy.blockRealtime = false
      await waitUntil(() => cook.plater.health.get().status === 'live', 'the socket to take over again')
      expect([...proxy.pairs].filter((pair) => pair.realtime).length).toBeGreaterThanOrEqual(1)
      await sql`update public.order_items set status = 'preparing' where id = ${burger}`
      await waitUntil(
        () =>
          kds.getView().tickets.flatMap((t) => t.items).find((i) => i.id === burger)?.status === 'preparing',
        'a change over the socket',
      )
      expect(statuses).toContain('polling')
      await waitUntil(() => statuses.at(-1) === 'live', 'health listeners told it is live again')
      expect(seqProblems(cook.trace, TOPIC)).toEqual([])
      kds.release()
    },
  )
})
