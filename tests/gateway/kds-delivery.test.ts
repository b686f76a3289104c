import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { placeOrder, seatedTable } from './helpers/domain.ts'
import { type Client, joined, openDb, realtimeClient, SEED, tokenFor, waitFor } from './helpers/stack.ts'

// The core promise of the gateway: a change committed in Postgres reaches exactly the screens allowed to see
// it, through the official client, with both wire formats.

const kds = (station: string) => `kds:${SEED.bistro}:${station}`

interface Received {
  event: string
  payload: {
    type: string
    seq: number
    ts: number
    id: string
    version: number
    order_id: string
    name: string
  }
  meta?: { id: string }
}

describe.each(['2.0.0', '1.0.0'] as const)('an order placed by SQL, vsn %s', (vsn) => {
  let sql: Sql
  let grill: Client
  let fry: Client
  const grillGot: Received[] = []
  const fryGot: Received[] = []

  beforeAll(async () => {
    sql = openDb()
    grill = await realtimeClient(await tokenFor(SEED.users.grill), vsn)
    fry = await realtimeClient(await tokenFor(SEED.users.fry), vsn)
    await joined(
      grill.sb
        .channel(kds(SEED.stations.bistroGrill), { config: { private: true } })
        .on('broadcast', { event: '*' }, (message) => grillGot.push(message as unknown as Received)),
    )
    await joined(
      fry.sb
        .channel(kds(SEED.stations.bistroFry), { config: { private: true } })
        .on('broadcast', { event: '*' }, (message) => fryGot.push(message as unknown as Received)),
    )
  })

  afterAll(async () => {
    await grill?.close()
    await fry?.close()
    await sql?.end()
  })

  it("reaches the grill cook's station topic, with the envelope and meta.id", async () => {
    const orderId = await placeOrder(sql, await seatedTable(sql), ['Burger', 'Ribeye 300g'])
    const tickets = await waitFor(
      () => {
        const mine = grillGot.filter((m) => m.payload.order_id === orderId)
        return mine.length === 2 && mine
      },
      10_000,
      'both grill tickets',
    )
    expect(tickets.map((t) => t.payload.name).sort()).toEqual(['Burger', 'Ribeye 300g'])
    for (const ticket of tickets) {
      expect(ticket.event).toBe('item')
      expect(ticket.payload).toMatchObject({
        type: 'item',
        version: expect.any(Number),
        seq: expect.any(Number),
      })
      expect(ticket.meta?.id).toMatch(/^[0-9a-f-]{36}$/)
    }
    // Contiguous per topic: the two tickets of one transaction are consecutive.
    const seqs = tickets.map((t) => t.payload.seq).sort((a, b) => a - b)
    expect(seqs[1]! - seqs[0]!).toBe(1)
  })

  it('sends nothing to the fry station for a grill-only order', async () => {
    const orderId = await placeOrder(sql, await seatedTable(sql), ['Burger'])
    await waitFor(() => grillGot.some((m) => m.payload.order_id === orderId), 10_000, 'the grill ticket')
    // A message to the fry station committed after the order: messages arrive in commit order, so once it is
    // here, a fry ticket for the order would be too.
    const sentinel = `sentinel-${orderId}`
    await sql`select realtime.send('{}'::jsonb, ${sentinel}, ${kds(SEED.stations.bistroFry)}, true)`
    await waitFor(() => fryGot.some((m) => m.event === sentinel), 10_000, 'the sentinel')
    expect(fryGot.filter((m) => m.payload.order_id === orderId)).toEqual([])
  })
})
