// The topic epoch across a reset (docs/topics.md "Epoch"): when a topic's seq starts over, a snapshot cached or
// revalidated at the old seq is never served again, and catch-up from the old epoch answers 410 epoch_changed.
// The reset is simulated on one topic of our own (its counter and log deleted, as `plater reset` deletes all of
// them) plus a new epoch (as a new database has): a real reset would pull the database from under the other
// suites. Run twice: in process, and through the stack's long-running `snapshot` worker (PLATER_API_URL), whose
// cache survives the reset as it would hosted. The Deno suite runs alone (before vitest), so the global epoch
// change disturbs no one.
import assert from 'node:assert/strict'
import { BISTRO, call, closePoolsAfterwards, DB_URL, HAS_DB, userToken } from './helpers.ts'
import { postgres } from '../../functions/_shared/deps.ts'
import { handler as snapshot } from '../../functions/snapshot/handler.ts'
import { handler as catchUp } from '../../functions/catch-up/handler.ts'
import { handler as tables } from '../../functions/tables/handler.ts'

const API_URL = Deno.env.get('PLATER_API_URL')
const owner = HAS_DB ? postgres(DB_URL!, { prepare: false, max: 2, onnotice: () => {} }) : undefined

type Get = (path: string, token: string, headers?: Record<string, string>) => ReturnType<typeof call>

const inProcess: Get = (path, token, headers = {}) =>
  call(path.startsWith('/snapshot') ? snapshot : catchUp, 'GET', path, { token, headers })

const throughStack: Get = async (path, token, headers = {}) => {
  const res = await fetch(`${API_URL}/functions/v1${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text === '' ? null : JSON.parse(text) }
}

/** A server of our own: their topic carries only this test's events. */
async function newServer(): Promise<string> {
  const id = crypto.randomUUID()
  await owner!`insert into auth.users (id, email) values (${id}, ${`epoch-${id.slice(0, 8)}@bistro.test`})`
  await owner!`insert into public.staff (user_id, restaurant_id, role, display_name)
               values (${id}, ${BISTRO}, 'server', 'Epoch test')`
  return id
}

async function seatNewTable(token: string): Promise<string> {
  const [row] = await owner!`
    insert into public.dining_tables (restaurant_id, label, seats)
    values (${BISTRO}, ${'epoch-' + crypto.randomUUID().slice(0, 8)}, 4) returning id`
  const seated = await call(tables, 'POST', `/tables/${row!.id}/seat`, {
    token,
    body: { party_size: 2 },
    headers: { 'idempotency-key': crypto.randomUUID() },
  })
  assert.equal(seated.status, 200)
  return row!.id
}

async function resetTopic(topic: string): Promise<void> {
  await owner!.begin(async (tx) => {
    await tx`delete from plater_private.topic_log where topic = ${topic}`
    await tx`delete from plater_private.topic_retention where topic = ${topic}`
    await tx`select plater_private.start_topic_epoch()`
  })
}

const tableIds = (body: { data: { tables: { id: string }[] } }) => body.data.tables.map((t) => t.id).sort()

for (const [where, get] of [['in process', inProcess], ['through the stack', throughStack]] as const) {
  Deno.test({
    name: `a reset under a cached snapshot serves neither a stale 304 nor a stale body (${where})`,
    ignore: !HAS_DB || (get === throughStack && !API_URL),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await newServer()
      const token = await userToken(server)
      const topic = `server:${BISTRO}:${server}`
      const before = await seatNewTable(token) // seq 1 on the server's topic

      const old = await get(`/snapshot?topic=${topic}`, token)
      assert.equal(old.status, 200)
      assert.equal(old.body.seq, 1)
      assert.deepEqual(tableIds(old.body), [before])
      const oldTag = old.headers.get('etag')!
      assert.equal((await get(`/snapshot?topic=${topic}`, token, { 'if-none-match': oldTag })).status, 304)

      await resetTopic(topic)
      const after = await seatNewTable(token) // seq 1 again, other data

      const revalidated = await get(`/snapshot?topic=${topic}`, token, { 'if-none-match': oldTag })
      assert.equal(revalidated.status, 200, 'the old tag no longer matches')
      assert.equal(revalidated.body.seq, 1)
      assert.notEqual(revalidated.body.epoch, old.body.epoch)
      assert.deepEqual(tableIds(revalidated.body), [before, after].sort(), 'built anew, not the cached body')
      assert.notEqual(revalidated.headers.get('etag'), oldTag)

      const plain = await get(`/snapshot?topic=${topic}`, token)
      assert.deepEqual(plain.body, revalidated.body)

      const stale = await get(`/catch-up?topic=${topic}&after=1&epoch=${old.body.epoch}`, token)
      assert.equal(stale.status, 410)
      assert.equal(stale.body.code, 'refetch_snapshot')
      assert.deepEqual(stale.body.details, {
        reason: 'epoch_changed',
        topic,
        epoch: revalidated.body.epoch,
        last_seq: 1,
      })
      const current = await get(`/catch-up?topic=${topic}&after=1&epoch=${revalidated.body.epoch}`, token)
      assert.equal(current.status, 200)
      assert.deepEqual(current.body.events, [])
      assert.equal(current.body.epoch, revalidated.body.epoch)

      const denied = await get(
        `/catch-up?topic=${topic}&after=1&epoch=${old.body.epoch}`,
        await userToken(BISTRO),
      )
      assert.equal(denied.status, 401, 'authorization comes before any epoch answer')
    },
  })
}

closePoolsAfterwards('epoch', owner)
