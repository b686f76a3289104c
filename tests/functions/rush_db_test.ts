// POST /orders/:id/rush against the real database: expo and managers mark and unmark, others are refused, the
// body is validated, the version can come as If-Match, and a retried request is a replay.
import assert from 'node:assert/strict'
import { BISTRO, call, closePoolsAfterwards, DB_URL, dbTest, HAS_DB, STAFF, userToken } from './helpers.ts'
import { postgres } from '../../functions/_shared/deps.ts'
import { handler as orders } from '../../functions/orders/handler.ts'
import { handler as tables } from '../../functions/tables/handler.ts'

const owner = HAS_DB ? postgres(DB_URL!, { prepare: false, max: 2, onnotice: () => {} }) : undefined
const BURGER = '00000000-0000-4000-8000-00000000b302'
const FRIES = '00000000-0000-4000-8000-00000000b307'

const post = (path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  call(orders, 'POST', path, { token, body, headers: { 'idempotency-key': crypto.randomUUID(), ...headers } })

/** A fresh order by Ana at a table of our own: a burger and fries. */
async function newOrder(): Promise<{ id: string; version: number }> {
  const [row] = await owner!`
    insert into public.dining_tables (restaurant_id, label, seats)
    values (${BISTRO}, ${'rush-' + crypto.randomUUID().slice(0, 8)}, 4) returning id`
  const ana = await userToken(STAFF.ana)
  const seated = await call(tables, 'POST', `/tables/${row!.id}/seat`, {
    token: ana,
    body: { party_size: 2 },
    headers: { 'idempotency-key': crypto.randomUUID() },
  })
  assert.equal(seated.status, 200)
  const placed = await post('/orders', ana, {
    table_id: row!.id,
    items: [{ menu_item_id: BURGER, qty: 1 }, { menu_item_id: FRIES, qty: 2 }],
  })
  assert.equal(placed.status, 201)
  return placed.body.order
}

dbTest(
  'expo rushes an order: the order and its items carry the flag, ETag is the order version',
  async () => {
    const order = await newOrder()
    const rushed = await post(`/orders/${order.id}/rush`, await userToken(STAFF.expo), {
      rush: true,
      expected_version: order.version,
    })
    assert.equal(rushed.status, 200)
    assert.equal(rushed.body.order.rush, true)
    assert.equal(rushed.body.order.version, order.version + 1)
    assert.equal(rushed.headers.get('etag'), `"${order.version + 1}"`)
    assert.deepEqual(rushed.body.items.map((i: { rush: boolean }) => i.rush), [true, true])

    const undone = await post(`/orders/${order.id}/rush`, await userToken(STAFF.manager), { rush: false }, {
      'if-match': rushed.headers.get('etag')!,
    })
    assert.equal(undone.status, 200, 'a manager undoes it, version in If-Match')
    assert.equal(undone.body.order.rush, false)
    const stale = await post(`/orders/${order.id}/rush`, await userToken(STAFF.expo), { rush: true }, {
      'if-match': rushed.headers.get('etag')!,
    })
    assert.equal(stale.status, 412)
    assert.equal(stale.body.details.current.rush, false)
  },
)

dbTest('rush: servers and cooks are refused, the body is checked, a retry is a replay', async () => {
  const order = await newOrder()
  const server = await post(`/orders/${order.id}/rush`, await userToken(STAFF.ana), { rush: true })
  assert.equal(server.status, 403)
  assert.equal(server.body.code, 'forbidden')
  assert.equal(
    (await post(`/orders/${order.id}/rush`, await userToken(STAFF.grill), { rush: true })).status,
    403,
  )
  assert.equal(
    (await post(`/orders/${order.id}/rush`, await userToken(STAFF.dinerManager), { rush: true })).status,
    404,
  )
  const expo = await userToken(STAFF.expo)
  const missing = await post(`/orders/${order.id}/rush`, expo, {})
  assert.equal(missing.status, 400)
  assert.equal(missing.body.details.issues[0].path, 'rush')
  assert.equal((await post(`/orders/${order.id}/rush`, expo, { rush: 'yes' })).status, 400)

  const key = crypto.randomUUID()
  const first = await post(`/orders/${order.id}/rush`, expo, { rush: true }, { 'idempotency-key': key })
  const again = await post(`/orders/${order.id}/rush`, expo, { rush: true }, { 'idempotency-key': key })
  assert.equal(again.status, 200)
  assert.equal(again.headers.get('idempotent-replayed'), 'true')
  assert.deepEqual(again.body, first.body)
})

closePoolsAfterwards('rush', owner)
