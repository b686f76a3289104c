// The whole service through the stack, each step by the role that does it in a restaurant, with the official
// client: signInWithPassword, then functions.invoke.
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BISTRO,
  EMAILS,
  invoke,
  menuItem,
  ownerDb,
  ownTable,
  signedIn,
  STATIONS,
} from './functions-helpers.ts'

let sql: Sql
beforeAll(() => {
  sql = ownerDb()
})
afterAll(async () => {
  await sql.end()
})

describe('a table from seating to clearing', () => {
  it('server seats and orders, cooks cook, expo bumps, server serves and clears', async () => {
    const [server, grill, fry, expo] = await Promise.all([
      signedIn(EMAILS.ana),
      signedIn(EMAILS.grill),
      signedIn(EMAILS.fry),
      signedIn(EMAILS.expo),
    ])
    const table = await ownTable(sql)
    const [burger, fries, salad] = await Promise.all([
      menuItem(sql, 'Burger'),
      menuItem(sql, 'Fries'),
      menuItem(sql, 'Caesar Salad'),
    ])

    // server: seat the party, place the order (mains now, a salad held as course 2)
    const seated = await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 3 } })
    expect(seated.status).toBe(200)
    expect(seated.body.table).toMatchObject({
      status: 'seated',
      server_id: server.userId,
      party_size: 3,
      version: 2,
    })
    expect(seated.headers.get('etag')).toBe('"2"')

    const placed = await invoke(server, 'orders', {
      body: {
        table_id: table.id,
        note: 'birthday',
        items: [
          { menu_item_id: burger, qty: 2, modifiers: ['medium rare'], allergens: ['gluten'] },
          { menu_item_id: fries, qty: 1 },
          { menu_item_id: salad, qty: 1, course: 2, hold: true },
        ],
      },
    })
    expect(placed.status).toBe(201)
    const order = placed.body.order
    const items: { id: string; station_id: string; status: string; course: number }[] = placed.body.items
    const burgerItem = items.find((i) => i.station_id === STATIONS.grill)!
    const friesItem = items.find((i) => i.station_id === STATIONS.fry)!
    const saladItem = items.find((i) => i.course === 2)!
    expect(burgerItem.status).toBe('pending')
    expect(saladItem.status).toBe('held')

    // the grill cook sees the burger on the grill screen, starts and finishes it
    const kds = await invoke(grill, `snapshot?topic=kds:${BISTRO}:${STATIONS.grill}`, { method: 'GET' })
    expect(kds.status).toBe(200)
    expect(kds.body.data.items.map((i: { id: string }) => i.id)).toContain(burgerItem.id)
    expect(kds.body.data.items.map((i: { id: string }) => i.id)).not.toContain(friesItem.id)
    const started = await invoke(grill, `kitchen/items/${burgerItem.id}/start`)
    expect(started.status).toBe(200)
    expect(started.body.item.status).toBe('preparing')
    const finished = await invoke(grill, `kitchen/items/${burgerItem.id}/finish`, {
      headers: { 'If-Match': started.headers.get('etag')! },
    })
    expect(finished.status).toBe(200)
    expect(finished.body.item.status).toBe('ready')

    // the fry cook bumps the whole fry ticket without starting each item
    const bumped = await invoke(fry, `kitchen/orders/${order.id}/stations/${STATIONS.fry}/bump`)
    expect(bumped.status).toBe(200)
    expect(bumped.body.items.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([[
      friesItem.id,
      'ready',
    ]])

    // expo sees both mains ready on the pass (the order stays open: its salad course is still held)
    const pass = await invoke(expo, `snapshot?topic=expo:${BISTRO}`, { method: 'GET' })
    const onPass = pass.body.data.items.filter((i: { order_id: string }) => i.order_id === order.id)
    expect(Object.fromEntries(onPass.map((i: { id: string; status: string }) => [i.id, i.status]))).toEqual({
      [burgerItem.id]: 'ready',
      [friesItem.id]: 'ready',
      [saladItem.id]: 'held',
    })
    expect(pass.body.data.orders.find((o: { id: string }) => o.id === order.id)?.status).toBe('open')
    const served = await invoke(server, `orders/${order.id}/serve`)
    expect(served.status).toBe(200)
    expect(served.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [burgerItem.id, friesItem.id].sort(),
    )

    // the server fires the salad course; expo bumps the salad station's ticket; the server serves it
    const fired = await invoke(server, `orders/${order.id}/courses/2/fire`)
    expect(fired.status).toBe(200)
    expect(fired.body.items[0]).toMatchObject({ id: saladItem.id, status: 'pending' })
    const saladTicket = await invoke(expo, `kitchen/orders/${order.id}/stations/${saladItem.station_id}/bump`)
    expect(saladTicket.status).toBe(200)
    const dessertServed = await invoke(server, `orders/${order.id}/serve`)
    expect(dessertServed.status).toBe(200)
    expect(dessertServed.body.order.status).toBe('served')

    // guests leave: the server clears the table, which closes the served order
    const cleared = await invoke(server, `tables/${table.id}/clear`)
    expect(cleared.status).toBe(200)
    expect(cleared.body.table).toMatchObject({ status: 'free', server_id: null })
    const [closed] = await sql<{ status: string }[]>`select status from public.orders where id = ${order.id}`
    expect(closed!.status).toBe('closed')

    // every step is in the status history with the staff member who did it
    const history = await sql<{ to_status: string; actor: string }[]>`
      select to_status, actor from public.status_history where entity_id = ${burgerItem.id} order by id`
    expect(history.map((h) => h.to_status)).toEqual(['pending', 'preparing', 'ready', 'served'])
    expect(history[1]!.actor).toBe(grill.userId)

    await Promise.all([server, grill, fry, expo].map((c) => c.auth.signOut()))
  })

  it('a server can add items, hold a course, and cancel an order the kitchen has not started', async () => {
    const server = await signedIn(EMAILS.ben)
    const table = await ownTable(sql)
    const soup = await menuItem(sql, 'Soup of the Day')
    await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    const placed = await invoke(server, 'orders', {
      body: { table_id: table.id, items: [{ menu_item_id: soup, qty: 1 }] },
    })
    const added = await invoke(server, `orders/${placed.body.order.id}/items`, {
      body: {
        items: [{ menu_item_id: soup, qty: 1, course: 3 }],
        expected_version: placed.body.order.version,
      },
    })
    expect(added.status).toBe(200)
    expect(added.body.items).toHaveLength(1)
    const held = await invoke(server, `orders/${placed.body.order.id}/courses/3/hold`)
    expect(held.status).toBe(200)
    expect(held.body.items[0].status).toBe('held')
    const refired = await invoke(server, `orders/${placed.body.order.id}/courses/3/fire`)
    expect(refired.body.items[0].status).toBe('pending')
    const voided = await invoke(server, `kitchen/items/${added.body.items[0].id}/void`, {
      body: { reason: 'changed mind' },
    })
    expect(voided.status).toBe(200)
    expect(voided.body.item).toMatchObject({ status: 'void', void_reason: 'changed mind' })
    const cancelled = await invoke(server, `orders/${placed.body.order.id}/cancel`, {
      body: { reason: 'left early' },
    })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.order.status).toBe('cancelled')
    expect((await invoke(server, `tables/${table.id}/clear`)).status).toBe(200)
  })
})
