// GET /session and GET /menu against the real database (PLATER_DB_URL): shapes, content ETags and 304, the
// denials (API keys, users without an active staff row), and revalidation that notices a change.
import assert from 'node:assert/strict'
import {
  BISTRO,
  call,
  closePoolsAfterwards,
  DB_URL,
  dbTest,
  HAS_DB,
  sign,
  STAFF,
  STATIONS,
  userToken,
} from './helpers.ts'
import { postgres } from '../../functions/_shared/deps.ts'
import { handler as session } from '../../functions/session/handler.ts'
import { handler as menu } from '../../functions/menu/handler.ts'

const owner = HAS_DB ? postgres(DB_URL!, { prepare: false, max: 2, onnotice: () => {} }) : undefined

/** A staff member of our own (other suites' fixtures stay untouched). */
async function newStaff(role: 'server' | 'cook', active = true): Promise<string> {
  const id = crypto.randomUUID()
  await owner!`insert into auth.users (id, email) values (${id}, ${`boot-${id.slice(0, 8)}@bistro.test`})`
  await owner!`
    insert into public.staff (user_id, restaurant_id, role, station_id, display_name, active)
    values (${id}, ${BISTRO}, ${role}, ${role === 'cook' ? STATIONS.grill : null}, 'Boot test', ${active})`
  return id
}

dbTest('session: who the caller is and the scopes they may open, with an ETag and 304', async () => {
  const token = await userToken(STAFF.grill)
  const first = await call(session, 'GET', '/session', { token })
  assert.equal(first.status, 200)
  assert.equal(first.body.user_id, STAFF.grill)
  assert.deepEqual(first.body.staff, {
    user_id: STAFF.grill,
    restaurant_id: BISTRO,
    role: 'cook',
    station_id: STATIONS.grill,
    display_name: 'Gus (grill)',
  })
  assert.deepEqual(first.body.restaurant, { id: BISTRO, name: 'Demo Bistro' })
  assert.deepEqual(first.body.scopes, [
    { scope: 'kds', station_id: STATIONS.grill, topic: `kds:${BISTRO}:${STATIONS.grill}` },
    { scope: 'crew', topic: `crew:${BISTRO}` },
  ])
  const etag = first.headers.get('etag')!
  assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/)
  assert.equal(first.headers.get('cache-control'), 'private, no-cache')

  const again = await call(session, 'GET', '/session', { token, headers: { 'if-none-match': etag } })
  assert.equal(again.status, 304)
  assert.equal(again.body, null)
  assert.equal(again.headers.get('etag'), etag)

  const other = await call(session, 'GET', '/session', {
    token: await userToken(STAFF.ana),
    headers: { 'if-none-match': etag },
  })
  assert.equal(other.status, 200, "another user's tag does not match")
  assert.equal(other.body.staff.role, 'server')
})

dbTest('session: a change (a cook moved to another station) is a new tag, not a 304', async () => {
  const cook = await newStaff('cook')
  const token = await userToken(cook)
  const before = await call(session, 'GET', '/session', { token })
  await owner!`update public.staff set station_id = ${STATIONS.fry} where user_id = ${cook}`
  const after = await call(session, 'GET', '/session', {
    token,
    headers: { 'if-none-match': before.headers.get('etag')! },
  })
  assert.equal(after.status, 200)
  assert.equal(after.body.staff.station_id, STATIONS.fry)
  assert.equal(after.body.scopes[0].topic, `kds:${BISTRO}:${STATIONS.fry}`)
})

dbTest('session and menu refuse API keys, users without a staff row and inactive staff', async () => {
  for (const handler of [session, menu]) {
    const path = handler === session ? '/session' : '/menu'
    const anon = await call(handler, 'GET', path, { token: await sign({ role: 'anon' }) })
    assert.equal(anon.status, 401)
    assert.equal(anon.body.code, 'user_token_required')
    const service = await call(handler, 'GET', path, { token: await sign({ role: 'service_role' }) })
    assert.equal(service.status, 401)
    const nobody = await call(handler, 'GET', path, { token: await userToken(crypto.randomUUID()) })
    assert.equal(nobody.status, 401)
    assert.equal(nobody.body.code, 'not_staff')
    const inactive = await call(handler, 'GET', path, {
      token: await userToken(await newStaff('server', false)),
    })
    assert.equal(inactive.status, 401)
    assert.equal(inactive.body.code, 'not_staff')
    assert.equal((await call(handler, 'GET', path)).status, 401, 'no token')
    assert.equal((await call(handler, 'POST', path, { token: await userToken(STAFF.ana) })).status, 405)
  }
})

dbTest('menu: the restaurant, fixed ids, prices for servers and managers only', async () => {
  const server = await call(menu, 'GET', '/menu', { token: await userToken(STAFF.ana) })
  assert.equal(server.status, 200)
  assert.equal(server.body.restaurant_id, BISTRO)
  const burger = server.body.items.find((i: { name: string }) => i.name === 'Burger')
  assert.deepEqual(burger, {
    id: '00000000-0000-4000-8000-00000000b302',
    name: 'Burger',
    station_id: STATIONS.grill,
    price_cents: 1600,
    active: true,
  })
  const cook = await call(menu, 'GET', '/menu', { token: await userToken(STAFF.grill) })
  assert.equal(cook.body.items.length, server.body.items.length)
  assert.ok(cook.body.items.every((i: object) => !('price_cents' in i)), 'cooks get no prices')
  const diner = await call(menu, 'GET', '/menu', { token: await userToken(STAFF.dinerManager) })
  assert.ok(
    diner.body.items.every((i: { id: string }) =>
      !server.body.items.some((s: { id: string }) => s.id === i.id)
    ),
    'another restaurant shares no item',
  )
  const tag = server.headers.get('etag')!
  const revalidated = await call(menu, 'GET', '/menu', {
    token: await userToken(STAFF.ana),
    headers: { 'if-none-match': tag },
  })
  assert.equal(revalidated.status, 304)
  assert.notEqual(cook.headers.get('etag'), tag, 'a priceless menu is another representation')
})

closePoolsAfterwards('bootstrap reads', owner)
