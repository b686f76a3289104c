// Two staff members of different roles, each with the client library over the real stack: each sees exactly the
// scopes its role may open, and in them only its audience's rows.
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KdsView, ScopeHandle, ServerView } from '../../client/src/index.ts'
import { SEED_MENU } from '../helpers/seed.ts'
import { BISTRO, EMAILS, ownerDb, ownTable, STATIONS, testStack } from './functions-helpers.ts'
import { type Staff, staffClient, waitUntil } from './client-helpers.ts'

let sql: Sql
let cook: Staff
let server: Staff
beforeAll(async () => {
  sql = ownerDb()
  const env = testStack()
  ;[cook, server] = await Promise.all([
    staffClient(env.apiUrl, env.anonKey, EMAILS.grill),
    staffClient(env.apiUrl, env.anonKey, EMAILS.ana),
  ])
})
afterAll(async () => {
  await Promise.all([cook?.plater.close(), server?.plater.close()])
  await sql.end()
})

describe('two roles through the client', () => {
  it('are told which scopes they may open and are refused the others', async () => {
    const cookSession = await cook.plater.session()
    expect(cookSession.staff).toMatchObject({
      role: 'cook',
      station_id: STATIONS.grill,
      restaurant_id: BISTRO,
    })
    const kds = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill })
    const forbidden = [
      cook.plater.open({ scope: 'expo' }),
      cook.plater.open({ scope: 'kds', stationId: STATIONS.fry }),
      cook.plater.open({ scope: 'admin' }),
    ]
    await kds.ready() // resolves once live (other suites write to this topic too, so its status may move on at once)
    for (const handle of forbidden) {
      await expect(handle.ready()).rejects.toMatchObject({ status: 403 })
      expect(handle.status).toBe('error')
      handle.release()
    }
    const mine = server.plater.open({ scope: 'server' })
    const floor = server.plater.open({ scope: 'floor' })
    const notMine = server.plater.open({ scope: 'kds', stationId: STATIONS.grill })
    await Promise.all([mine.ready(), floor.ready()])
    await expect(notMine.ready()).rejects.toMatchObject({ status: 403 })
    notMine.release()
    for (const handle of [kds, mine, floor]) handle.release()
  })

  it("see only their audience's rows of the same order, live", async () => {
    const table = await ownTable(sql)
    const kds: ScopeHandle<KdsView> = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill })
    const mine: ScopeHandle<ServerView> = server.plater.open({ scope: 'server' })
    await Promise.all([kds.ready(), mine.ready()])
    const seenByCook = new Set<string>()
    const watch = () => {
      for (const ticket of kds.getView().tickets) for (const item of ticket.items) seenByCook.add(item.id)
    }
    const unsubscribe = kds.subscribe(watch)

    await server.plater.mutations.seatTable({ tableId: table.id, partySize: 2 })
    const placed = await server.plater.mutations.placeOrder({
      tableId: table.id,
      items: [{ menuItemId: SEED_MENU.burger, qty: 1 }, { menuItemId: SEED_MENU.fries, qty: 1 }],
    })
    const orderId = (placed.order as { id: string }).id
    const items = placed.items as { id: string; station_id: string }[]
    const burger = items.find((i) => i.station_id === STATIONS.grill)!
    const fries = items.find((i) => i.station_id === STATIONS.fry)!

    // the server sees the whole order and its table
    await waitUntil(
      () => mine.getView().orders.find((o) => o.id === orderId && !o.pending && o.items.length === 2),
      'the order on the server screen',
    )
    expect(mine.getView().tables.find((t) => t.id === table.id)).toMatchObject({
      status: 'seated',
      party_size: 2,
    })
    // a fry-only order, then a grill sentinel: once the sentinel is on the grill screen, the fry one would have been too
    const friesOnly = await server.plater.mutations.placeOrder({
      tableId: table.id,
      items: [{ menuItemId: SEED_MENU.fries, qty: 2 }],
    })
    const sentinel = await server.plater.mutations.placeOrder({
      tableId: table.id,
      items: [{ menuItemId: SEED_MENU.ribeye, qty: 1 }],
    })
    const sentinelItem = (sentinel.items as { id: string }[])[0]!.id
    await waitUntil(() => (watch(), seenByCook.has(sentinelItem)), 'the sentinel on the grill screen')
    const ticket = kds.getView().tickets.find((t) => t.orderId === orderId)!
    expect(ticket.items.map((i) => i.id)).toEqual([burger.id])
    expect(ticket.table).toBe(table.label)
    expect(seenByCook.has(fries.id)).toBe(false)
    for (const item of friesOnly.items as { id: string }[]) expect(seenByCook.has(item.id)).toBe(false)
    // the cook's rows carry no server id and no price (docs/topics.md)
    expect(Object.keys(ticket.items[0]!)).not.toContain('server_id')
    expect(Object.keys(ticket.items[0]!)).not.toContain('price_cents')
    unsubscribe()
    kds.release()
    mine.release()
  })

  it('share the crew topic: presence and broadcasts on the same socket', async () => {
    const cookCrew = cook.plater.open({ scope: 'crew' })
    const serverCrew = server.plater.open({ scope: 'crew' })
    await cookCrew.track({ screen: 'kds', station: STATIONS.grill })
    await Promise.all([cookCrew.ready(), serverCrew.ready()])
    await waitUntil(
      () =>
        serverCrew.getView().members.find((m) =>
          m.key === cook.userId && m.metas.some((meta) => meta.screen === 'kds')
        ),
      "the cook's presence",
    )
    await serverCrew.send('notice', { text: '86 ribeye' })
    await waitUntil(
      () =>
        cookCrew.getView().messages.find((m) =>
          m.event === 'notice' && (m.payload as { text?: string }).text === '86 ribeye'
        ),
      'the notice',
    )
    cookCrew.release()
    serverCrew.release()
  })
})
