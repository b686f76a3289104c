// Snapshots, revalidation, warm and catch-up against the real database (PLATER_DB_URL).
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
  userToken,
} from './helpers.ts'
import { postgres } from '../../functions/_shared/deps.ts'
import { cache, handler as snapshot } from '../../functions/snapshot/handler.ts'
import { handler as catchUp } from '../../functions/catch-up/handler.ts'
import { handler as tables } from '../../functions/tables/handler.ts'

const owner = HAS_DB ? postgres(DB_URL!, { prepare: false, max: 2, onnotice: () => {} }) : undefined
const FLOOR = `floor:${BISTRO}`

async function newTable(): Promise<string> {
  const [row] = await owner!`
    insert into public.dining_tables (restaurant_id, label, seats)
    values (${BISTRO}, ${'deno-' + crypto.randomUUID().slice(0, 8)}, 4) returning id`
  return row!.id
}

const seat = (table: string, token: string) =>
  call(tables, 'POST', `/tables/${table}/seat`, {
    token,
    body: { party_size: 2 },
    headers: { 'idempotency-key': crypto.randomUUID() },
  })

dbTest('a snapshot carries its seq and ETag; revalidation answers 304 until the topic moves', async () => {
  const token = await userToken(STAFF.ana)
  const first = await call(snapshot, 'GET', `/snapshot?topic=${FLOOR}`, { token })
  assert.equal(first.status, 200)
  assert.equal(first.body.topic, FLOOR)
  assert.equal(typeof first.body.seq, 'number')
  assert.ok(Array.isArray(first.body.data.tables))
  const etag = first.headers.get('etag')!
  assert.match(first.body.epoch, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.equal(etag, `"${FLOOR}:${first.body.seq}@${first.body.epoch}"`)
  assert.equal(first.headers.get('cache-control'), 'private, no-cache')

  const unchanged = await call(snapshot, 'GET', `/snapshot?topic=${FLOOR}`, {
    token,
    headers: { 'if-none-match': etag },
  })
  assert.equal(unchanged.status, 304)
  assert.equal(unchanged.body, null)
  assert.equal(unchanged.headers.get('etag'), etag)

  const table = await newTable() // publishes on the floor topic
  const moved = await call(snapshot, 'GET', `/snapshot?topic=${FLOOR}`, {
    token,
    headers: { 'if-none-match': etag },
  })
  assert.equal(moved.status, 200)
  assert.ok(moved.body.seq > first.body.seq)
  assert.ok(
    moved.body.data.tables.some((t: { id: string }) => t.id === table),
    'the new table is in the new snapshot',
  )
})

dbTest('the cache serves the built body at the current seq and never an older one', async () => {
  const token = await userToken(STAFF.expo)
  const a = await call(snapshot, 'GET', `/snapshot?topic=${FLOOR}`, { token })
  const cached = cache.peek(FLOOR)!
  assert.equal(cached.seq, a.body.seq)
  const b = await call(snapshot, 'GET', `/snapshot?topic=${FLOOR}`, { token })
  assert.deepEqual(b.body, a.body)
  await seat(await newTable(), await userToken(STAFF.ana))
  const c = await call(snapshot, 'GET', `/snapshot?topic=${FLOOR}`, { token })
  assert.ok(c.body.seq > a.body.seq)
  const [{ seq }] = await owner!`select plater_private.topic_head(${FLOOR}) as seq`
  assert.equal(c.body.seq, Number(seq), 'current as of the topic head')
})

dbTest('authorization is checked on every request, cached or not', async () => {
  const manager = await userToken(STAFF.manager)
  const admin = `admin:${BISTRO}`
  assert.equal((await call(snapshot, 'GET', `/snapshot?topic=${admin}`, { token: manager })).status, 200)
  const server = await call(snapshot, 'GET', `/snapshot?topic=${admin}`, {
    token: await userToken(STAFF.ana),
  })
  assert.equal(server.status, 403)
  assert.equal(server.body.code, 'forbidden')
  const otherRestaurant = await call(snapshot, 'GET', `/snapshot?topic=${admin}`, {
    token: await userToken(STAFF.dinerManager),
  })
  assert.equal(otherRestaurant.status, 403)
  const noToken = await call(snapshot, 'GET', `/snapshot?topic=${admin}`)
  assert.equal(noToken.status, 401)
  const anon = await call(snapshot, 'GET', `/snapshot?topic=${admin}`, {
    token: await sign({ role: 'anon' }),
  })
  assert.equal(anon.status, 401)
  const bad = await call(snapshot, 'GET', '/snapshot?topic=floor:nope', { token: manager })
  assert.equal(bad.status, 400)
  assert.equal(bad.body.details.issues[0].path, 'topic')
})

dbTest('warm builds every topic of the restaurant, for its manager or the service key', async () => {
  const warm = (token: string, restaurant = BISTRO) =>
    call(snapshot, 'POST', '/snapshot/warm', { token, body: { restaurant } })
  const byManager = await warm(await userToken(STAFF.manager))
  assert.equal(byManager.status, 200)
  const topics = byManager.body.built.map((b: { topic: string }) => b.topic)
  for (const kind of ['floor', 'expo', 'admin']) assert.ok(topics.includes(`${kind}:${BISTRO}`), kind)
  assert.ok(topics.some((t: string) => t.startsWith('kds:')))
  assert.ok(topics.includes(`server:${BISTRO}:${STAFF.ana}`))
  assert.equal(typeof byManager.body.ms, 'number')
  for (const built of byManager.body.built) assert.equal(cache.peek(built.topic)?.seq, built.seq)

  assert.equal((await warm(await sign({ role: 'service_role' }))).status, 200)
  assert.equal((await warm(await userToken(STAFF.ana))).status, 403)
  assert.equal((await warm(await userToken(STAFF.dinerManager))).status, 403)
  assert.equal(
    (await warm(await sign({ role: 'service_role' }), '00000000-0000-4000-8000-0000000000ff')).status,
    404,
  )
})

dbTest('catch-up gives the events after a seq, once, and refetch when it cannot', async () => {
  const token = await userToken(STAFF.ana)
  const snap = await call(snapshot, 'GET', `/snapshot?topic=${FLOOR}`, { token })
  const table = await newTable()
  await seat(table, token)
  const events = await call(catchUp, 'GET', `/catch-up?topic=${FLOOR}&after=${snap.body.seq}`, { token })
  assert.equal(events.status, 200)
  assert.equal(events.body.status, 'ok')
  assert.equal(events.body.epoch, snap.body.epoch, 'catch-up answers the epoch of the snapshot')
  const seqs = events.body.events.map((e: { payload: { seq: number } }) => e.payload.seq)
  assert.deepEqual(
    seqs,
    Array.from({ length: seqs.length }, (_, i) => snap.body.seq + 1 + i),
    'contiguous from seq+1',
  )
  assert.ok(
    events.body.events.some((e: { payload: { id: string; status: string } }) =>
      e.payload.id === table && e.payload.status === 'seated'
    ),
  )

  const paged = await call(catchUp, 'GET', `/catch-up?topic=${FLOOR}&after=${snap.body.seq}&limit=1`, {
    token,
  })
  assert.equal(paged.body.events.length, 1)
  assert.equal(paged.body.more, true)

  const ahead = await call(catchUp, 'GET', `/catch-up?topic=${FLOOR}&after=${events.body.last_seq + 100}`, {
    token,
  })
  assert.equal(ahead.status, 410)
  assert.equal(ahead.body.code, 'refetch_snapshot')
  assert.equal(ahead.body.details.reason, 'ahead_of_topic')
  assert.equal(ahead.body.details.last_seq, events.body.last_seq)

  const cook = await call(catchUp, 'GET', `/catch-up?topic=${FLOOR}&after=0`, {
    token: await userToken(STAFF.grill),
  })
  assert.equal(cook.status, 403)
  const malformed = await call(catchUp, 'GET', `/catch-up?topic=${FLOOR}&after=-1`, { token })
  assert.equal(malformed.status, 400)
})

closePoolsAfterwards('reads', owner)
