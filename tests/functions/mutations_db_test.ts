// The mutation pipeline against the real database (PLATER_DB_URL, as `npm test` sets it): idempotency under
// concurrency, crash safety, stored outcomes, per-user keys, retention. Each test creates the tables it uses.
import assert from 'node:assert/strict'
import { BISTRO, call, DB_URL, HAS_DB, STAFF, userToken } from './helpers.ts'
import { postgres } from '../../functions/_shared/deps.ts'
import { claimStatement } from '../../functions/_shared/idempotency.ts'
import { handler as tables } from '../../functions/tables/handler.ts'
import { handler as orders } from '../../functions/orders/handler.ts'
import { closeDb } from '../../functions/_shared/db.ts'

const dbTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: !HAS_DB, sanitizeOps: false, sanitizeResources: false, fn })

const owner = HAS_DB ? postgres(DB_URL!, { prepare: false, max: 2, onnotice: () => {} }) : undefined

async function newTable(): Promise<string> {
  const [row] = await owner!`
    insert into public.dining_tables (restaurant_id, label, seats)
    values (${BISTRO}, ${'deno-' + crypto.randomUUID().slice(0, 8)}, 4) returning id`
  return row!.id
}

async function tableVersion(id: string): Promise<number> {
  const [row] = await owner!`select version from public.dining_tables where id = ${id}`
  return row!.version
}

async function keyRow(user: string, key: string) {
  const [row] =
    await owner!`select status_code, response from plater_private.idempotency_keys where user_id = ${user} and key = ${key}`
  return row
}

dbTest('one key, many concurrent requests: applied once, the rest 409 in flight or replayed', async () => {
  const table = await newTable()
  const token = await userToken(STAFF.ana)
  const key = crypto.randomUUID()
  const answers = await Promise.all(
    Array.from(
      { length: 8 },
      () =>
        call(tables, 'POST', `/tables/${table}/seat`, {
          token,
          body: { party_size: 2 },
          headers: { 'idempotency-key': key },
        }),
    ),
  )
  const fresh = answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') === null)
  const replays = answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') === 'true')
  const inFlight = answers.filter((a) => a.status === 409)
  assert.equal(fresh.length, 1)
  assert.equal(fresh.length + replays.length + inFlight.length, 8)
  for (const answer of inFlight) assert.equal(answer.body.code, 'idempotency_key_in_flight')
  for (const answer of replays) assert.deepEqual(answer.body, fresh[0]!.body)
  assert.equal(await tableVersion(table), 2, 'seated exactly once')
})

dbTest('a replay returns the first answer and changes nothing', async () => {
  const table = await newTable()
  const token = await userToken(STAFF.ana)
  const headers = { 'idempotency-key': crypto.randomUUID() }
  const first = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 3 },
    headers,
  })
  assert.equal(first.status, 200)
  assert.equal(first.headers.get('etag'), '"2"')
  const events = () =>
    owner!`select count(*)::int as n from plater_private.topic_log where payload ->> 'id' = ${table}`
  const [before] = await events()
  const again = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 3 },
    headers,
  })
  assert.equal(again.status, 200)
  assert.equal(again.headers.get('idempotent-replayed'), 'true')
  assert.deepEqual(again.body, first.body)
  const [after] = await events()
  assert.equal(after!.n, before!.n, 'no event published by the replay')
  assert.equal(await tableVersion(table), 2)
})

dbTest('the same key with a different body is 422 and runs nothing', async () => {
  const table = await newTable()
  const token = await userToken(STAFF.ana)
  const headers = { 'idempotency-key': crypto.randomUUID() }
  assert.equal(
    (await call(tables, 'POST', `/tables/${table}/seat`, { token, body: { party_size: 3 }, headers })).status,
    200,
  )
  const other = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 4 },
    headers,
  })
  assert.equal(other.status, 422)
  assert.equal(other.body.code, 'idempotency_key_reused')
})

dbTest('a decided error is stored and replayed; a transient one is not', async () => {
  const table = await newTable()
  const token = await userToken(STAFF.ana)
  const key = crypto.randomUUID()
  const seat = { party_size: 2 }
  assert.equal(
    (await call(tables, 'POST', `/tables/${table}/seat`, {
      token,
      body: seat,
      headers: { 'idempotency-key': crypto.randomUUID() },
    })).status,
    200,
  )
  // seating a seated table is an illegal transition (PT422): decided, stored
  const first = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: seat,
    headers: { 'idempotency-key': key },
  })
  assert.equal(first.status, 422)
  assert.equal(first.body.code, 'illegal_transition')
  assert.equal((await keyRow(STAFF.ana, key))?.status_code, 422)
  const again = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: seat,
    headers: { 'idempotency-key': key },
  })
  assert.equal(again.status, 422)
  assert.equal(again.headers.get('idempotent-replayed'), 'true')

  // a signed-in user without a staff row (PT401) is not a decided outcome: the key is not kept
  const stranger = { sub: crypto.randomUUID() }
  const strangerToken = await userToken(stranger.sub)
  const strangerKey = crypto.randomUUID()
  const denied = await call(tables, 'POST', `/tables/${table}/seat`, {
    token: strangerToken,
    body: { party_size: 2 },
    headers: { 'idempotency-key': strangerKey },
  })
  assert.equal(denied.status, 401)
  assert.equal(denied.body.code, 'not_staff')
  assert.equal(await keyRow(stranger.sub, strangerKey), undefined)
})

dbTest('keys are per user: the same key from two servers runs twice', async () => {
  const [tableA, tableB] = [await newTable(), await newTable()]
  const key = crypto.randomUUID()
  const ana = await call(tables, 'POST', `/tables/${tableA}/seat`, {
    token: await userToken(STAFF.ana),
    body: { party_size: 2 },
    headers: { 'idempotency-key': key },
  })
  const ben = await call(tables, 'POST', `/tables/${tableB}/seat`, {
    token: await userToken(STAFF.ben),
    body: { party_size: 2 },
    headers: { 'idempotency-key': key },
  })
  assert.equal(ana.status, 200)
  assert.equal(ben.status, 200)
  assert.equal(ben.headers.get('idempotent-replayed'), null)
  assert.equal(ben.body.table.server_id, STAFF.ben)
})

dbTest('past the 24 h retention a key is a new request', async () => {
  const table = await newTable()
  const token = await userToken(STAFF.ana)
  const key = crypto.randomUUID()
  const used = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 5 },
    headers: { 'idempotency-key': key },
  })
  assert.equal(used.status, 200)
  await owner!`update plater_private.idempotency_keys set created_at = now() - interval '25 hours'
                where user_id = ${STAFF.ana} and key = ${key}`
  // a different request under the expired key runs (here: an illegal re-seat) instead of answering 422 reused
  const later = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 2 },
    headers: { 'idempotency-key': key },
  })
  assert.equal(later.status, 422)
  assert.equal(later.body.code, 'illegal_transition')
  assert.equal(later.headers.get('idempotent-replayed'), null)
})

dbTest('a transaction that dies holding a key leaves no "in flight" behind', async () => {
  const table = await newTable()
  const key = crypto.randomUUID()
  // A worker claims the key and dies mid-mutation (its backend is terminated before it commits).
  const doomed = postgres(DB_URL!, { prepare: false, max: 1, onnotice: () => {} })
  const conn = await doomed.reserve()
  await conn.unsafe(`begin; ${claimStatement(STAFF.ana, key, 'whatever')}`)
  const [{ pid }] = await conn.unsafe('select pg_backend_pid() as pid')
  const token = await userToken(STAFF.ana)
  const meanwhile = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 2 },
    headers: { 'idempotency-key': key },
  })
  assert.equal(meanwhile.status, 409, 'in flight while the claim is held')
  await owner!`select pg_terminate_backend(${pid}::int)`
  conn.release()
  await doomed.end({ timeout: 1 }).catch(() => {})
  assert.equal(await keyRow(STAFF.ana, key), undefined, 'the claim died with its transaction')
  const retry = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 2 },
    headers: { 'idempotency-key': key },
  })
  assert.equal(retry.status, 200)
})

dbTest('If-Match: a stale version is 412 with the current row; body expected_version is 409', async () => {
  const table = await newTable()
  const token = await userToken(STAFF.ana)
  const stale = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 2 },
    headers: { 'idempotency-key': crypto.randomUUID(), 'if-match': '"7"' },
  })
  assert.equal(stale.status, 412)
  assert.equal(stale.body.code, 'precondition_failed')
  assert.equal(stale.body.details.current.id, table)
  assert.equal(stale.body.details.current.version, 1)
  const conflict = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 2, expected_version: 7 },
    headers: { 'idempotency-key': crypto.randomUUID() },
  })
  assert.equal(conflict.status, 409)
  assert.equal(conflict.body.code, 'version_conflict')
  const fresh = await call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 2 },
    headers: { 'idempotency-key': crypto.randomUUID(), 'if-match': '"1"' },
  })
  assert.equal(fresh.status, 200)
  assert.equal(fresh.headers.get('etag'), '"2"')
})

dbTest('an order placed with items answers 201; a role without rights 403', async () => {
  const table = await newTable()
  const ana = await userToken(STAFF.ana)
  await call(tables, 'POST', `/tables/${table}/seat`, {
    token: ana,
    body: { party_size: 2 },
    headers: { 'idempotency-key': crypto.randomUUID() },
  })
  const [menu] =
    await owner!`select id from public.menu_items where restaurant_id = ${BISTRO} and name = 'Burger'`
  const placed = await call(orders, 'POST', '/orders', {
    token: ana,
    body: { table_id: table, items: [{ menu_item_id: menu!.id, qty: 2, modifiers: ['medium'] }] },
    headers: { 'idempotency-key': crypto.randomUUID() },
  })
  assert.equal(placed.status, 201)
  assert.equal(placed.body.items[0].qty, 2)
  assert.equal(placed.headers.get('etag'), `"${placed.body.order.version}"`)
  const cook = await call(orders, 'POST', '/orders', {
    token: await userToken(STAFF.grill),
    body: { table_id: table, items: [{ menu_item_id: menu!.id, qty: 1 }] },
    headers: { 'idempotency-key': crypto.randomUUID() },
  })
  assert.equal(cook.status, 403)
  assert.equal(cook.body.code, 'forbidden')
})

dbTest('a deactivated staff member gets no stored answer replayed: the caller is checked first', async () => {
  const user = crypto.randomUUID()
  await owner!`insert into auth.users (id, email) values (${user}, ${`deno-${user.slice(0, 8)}@bistro.test`})`
  await owner!`insert into public.staff (user_id, restaurant_id, role, display_name)
               values (${user}, ${BISTRO}, 'server', 'Deno Temp')`
  const table = await newTable()
  const request = {
    token: await userToken(user),
    body: { party_size: 2 },
    headers: { 'idempotency-key': crypto.randomUUID() },
  }
  assert.equal((await call(tables, 'POST', `/tables/${table}/seat`, request)).status, 200)
  await owner!`update public.staff set active = false where user_id = ${user}`
  const retry = await call(tables, 'POST', `/tables/${table}/seat`, request)
  assert.equal(retry.status, 401)
  assert.equal(retry.body.code, 'not_staff')
  assert.equal(retry.headers.get('idempotent-replayed'), null)
})

Deno.test({
  name: 'close the pools',
  ignore: !HAS_DB,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await closeDb()
    await owner!.end()
  },
})
