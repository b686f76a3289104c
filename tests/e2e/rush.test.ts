// Rush through the stack with the official client: expo marks an order rush and the grill's KDS hears its item
// flagged (a newer version), expo's snapshot shows the order rushed, the undo is heard the same way; a server may
// not rush.
import type { RealtimeChannel } from '@supabase/supabase-js'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KdsItem, Published } from '../../client/src/payloads.ts'
import { SEED_MENU } from '../helpers/seed.ts'
import { BISTRO, EMAILS, invoke, ownerDb, ownTable, signedIn, STATIONS } from './functions-helpers.ts'

type Signed = Awaited<ReturnType<typeof signedIn>>
let sql: Sql
let server: Signed
let expo: Signed
let cook: Signed

beforeAll(async () => {
  sql = ownerDb()
  ;[server, expo, cook] = await Promise.all([
    signedIn(EMAILS.ana),
    signedIn(EMAILS.expo),
    signedIn(EMAILS.grill),
  ])
})
afterAll(async () => {
  await sql.end()
})

describe('rush orders', () => {
  it('expo rushes and unrushes; the grill KDS hears its item flagged, expo sees the order rushed', async () => {
    const table = await ownTable(sql)
    await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    const placed = await invoke(server, 'orders', {
      body: { table_id: table.id, items: [{ menu_item_id: SEED_MENU.burger, qty: 1 }] },
    })
    expect(placed.status).toBe(201)
    const orderId: string = placed.body.order.id
    const burgerId: string = placed.body.items[0].id
    const placedVersion: number = placed.body.items[0].version

    const heard: Published<KdsItem>[] = []
    await cook.realtime.setAuth()
    const channel: RealtimeChannel = cook.channel(`kds:${BISTRO}:${STATIONS.grill}`, {
      config: { private: true },
    })
    // the placing's own event may still be on its way from the WAL when the channel joins, and is then
    // delivered too (as Realtime would): only what the rushes publish is this test's to count
    channel.on('broadcast', { event: 'item' }, ({ payload }) => {
      const item = payload as Published<KdsItem>
      if (item.id === burgerId && item.version > placedVersion) heard.push(item)
    })
    expect(await new Promise((resolve) => channel.subscribe((s) => s !== 'CLOSED' && resolve(s)))).toBe(
      'SUBSCRIBED',
    )

    expect((await invoke(server, `orders/${orderId}/rush`, { body: { rush: true } })).status).toBe(403)
    const rushed = await invoke(expo, `orders/${orderId}/rush`, { body: { rush: true } })
    expect(rushed.status).toBe(200)
    const undone = await invoke(expo, `orders/${orderId}/rush`, {
      body: { rush: false, expected_version: rushed.body.order.version },
    })
    expect(undone.status).toBe(200)

    for (let waited = 0; waited < 5000 && heard.length < 2; waited += 50) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(heard.map((p) => [p.rush, p.version])).toEqual([[true, 2], [false, 3]])

    const snapshot = await invoke(expo, `snapshot?topic=expo:${BISTRO}`, { method: 'GET' })
    const order = snapshot.body.data.orders.find((o: { id: string }) => o.id === orderId)
    expect(order).toMatchObject({ id: orderId, rush: false, version: undone.body.order.version })
    await cook.removeChannel(channel)
  })
})
