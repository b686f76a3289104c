// Snapshots, revalidation, warm and catch-up through the stack with the official client; and the contract that
// makes them worth having: a snapshot's seq plus the events after it (broadcast or caught up) is the current
// state, every event exactly once.
import { randomUUID } from 'node:crypto'
import type { RealtimeChannel } from '@supabase/supabase-js'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BISTRO, EMAILS, invoke, ownerDb, ownTable, signedIn } from './functions-helpers.ts'

type Signed = Awaited<ReturnType<typeof signedIn>>
let sql: Sql
let server: Signed
let manager: Signed
const FLOOR = `floor:${BISTRO}`

beforeAll(async () => {
  sql = ownerDb()
  ;[server, manager] = await Promise.all([signedIn(EMAILS.ana), signedIn(EMAILS.manager)])
})
afterAll(async () => {
  await sql.end()
})

/** GET a snapshot, then revalidate it; retried if another suite moves the (shared) topic in between. */
async function revalidate(who: Signed, topic: string, etag?: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const tag = etag ?? (await invoke(who, `snapshot?topic=${topic}`, { method: 'GET' })).headers.get('etag')!
    const again = await invoke(who, `snapshot?topic=${topic}`, {
      method: 'GET',
      headers: { 'If-None-Match': tag },
    })
    if (again.status === 304) return { tag, again }
    etag = undefined
  }
  throw new Error(`${topic} never stood still long enough to revalidate`)
}

describe('snapshots', () => {
  it('carry their seq and a strong ETag, and revalidate with 304', async () => {
    const first = await invoke(server, `snapshot?topic=${FLOOR}`, { method: 'GET' })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      topic: FLOOR,
      epoch: expect.stringMatching(/^[0-9a-f-]{36}$/),
      seq: expect.any(Number),
      data: { tables: expect.any(Array) },
    })
    expect(first.headers.get('etag')).toBe(`"${FLOOR}:${first.body.seq}@${first.body.epoch}"`)
    const { tag, again } = await revalidate(server, FLOOR)
    expect(again.body).toBeNull()
    expect(again.headers.get('etag')).toBe(tag)
  })

  it('are role-scoped: a cook may not read the floor, a server not another server', async () => {
    const cook = await signedIn(EMAILS.grill)
    expect((await invoke(cook, `snapshot?topic=${FLOOR}`, { method: 'GET' })).status).toBe(403)
    const ben = await signedIn(EMAILS.ben)
    expect((await invoke(ben, `snapshot?topic=server:${BISTRO}:${server.userId}`, { method: 'GET' })).status)
      .toBe(403)
  })

  it('warm builds a restaurant at shift start, for its manager', async () => {
    const warmed = await invoke(manager, 'warm', { body: { restaurant: BISTRO }, key: false })
    expect(warmed.status).toBe(200)
    expect(warmed.body.restaurant).toBe(BISTRO)
    expect(warmed.body.ms).toEqual(expect.any(Number))
    const built = warmed.body.built as { topic: string; seq: number }[]
    expect(built.map((b) => b.topic)).toEqual(
      expect.arrayContaining([`floor:${BISTRO}`, `expo:${BISTRO}`, `admin:${BISTRO}`]),
    )
    const admin = built.find((b) => b.topic === `admin:${BISTRO}`)!
    await revalidate(manager, admin.topic, `"${admin.topic}:${admin.seq}"`)
    expect((await invoke(server, 'warm', { body: { restaurant: BISTRO }, key: false })).status).toBe(403)
  })
})

describe('snapshot + events = current state', () => {
  it('broadcasts and catch-up after the snapshot seq deliver every event exactly once', async () => {
    // a server of our own, so their topic carries only this test's events
    const userId = randomUUID()
    await sql`insert into auth.users (id, email, encrypted_password, email_confirmed_at)
              values (${userId}, ${`fn-${
      userId.slice(0, 8)
    }@bistro.test`}, extensions.crypt('plater-demo', extensions.gen_salt('bf', 4)), now())`
    await sql`insert into public.staff (user_id, restaurant_id, role, display_name) values (${userId}, ${BISTRO}, 'server', 'Test server')`
    const me = await signedIn(`fn-${userId.slice(0, 8)}@bistro.test`)
    const topic = `server:${BISTRO}:${userId}`

    // listen first, then take the snapshot: events after its seq come by broadcast, catch-up fills any gap
    const heard = new Map<number, Record<string, unknown>>()
    const duplicates: number[] = []
    await me.realtime.setAuth()
    const channel: RealtimeChannel = me.channel(topic, { config: { private: true } })
    channel.on('broadcast', { event: '*' }, ({ payload }) => {
      const seq = (payload as { seq: number }).seq
      if (heard.has(seq)) duplicates.push(seq)
      heard.set(seq, payload as Record<string, unknown>)
    })
    const subscribed = await new Promise<string>((resolve) =>
      channel.subscribe((status) => status !== 'CLOSED' && resolve(status))
    )
    expect(subscribed).toBe('SUBSCRIBED')

    const snapshot = await invoke(me, `snapshot?topic=${topic}`, { method: 'GET' })
    const start: number = snapshot.body.seq

    const [a, b] = [await ownTable(sql), await ownTable(sql)]
    for (const table of [a, b]) await invoke(me, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    await invoke(me, `tables/${a.id}/clear`)

    const caught = await invoke(me, `catch-up?topic=${topic}&after=${start}`, { method: 'GET' })
    expect(caught.status).toBe(200)
    const events = caught.body.events as {
      event: string
      payload: { seq: number; id: string; version: number }
    }[]
    const seqs = events.map((e) => e.payload.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => start + 1 + i))
    expect(seqs.length).toBe(3)

    // broadcasts: wait for the gateway to deliver what the log holds, then compare
    const head = caught.body.last_seq as number
    for (let waited = 0; waited < 5000 && !heard.has(head); waited += 50) {
      await new Promise((r) => setTimeout(r, 50))
    }
    for (const event of events) {
      if (heard.has(event.payload.seq)) expect(heard.get(event.payload.seq)).toEqual(event.payload)
    }
    expect([...heard.keys()].filter((seq) => seq > start).sort((x, y) => x - y)).toEqual(seqs)
    expect(duplicates).toEqual([])

    // applying the events (newer versions win) to the snapshot gives the current snapshot
    const tables = new Map<string, { version: number }>(
      snapshot.body.data.tables.map((t: { id: string; version: number }) => [t.id, t]),
    )
    for (const { payload } of events) {
      if (payload.version > (tables.get(payload.id)?.version ?? 0)) {
        const { seq: _seq, ts: _ts, ...row } = payload as unknown as Record<string, unknown>
        tables.set(payload.id, row as { version: number })
      }
    }
    const now = await invoke(me, `snapshot?topic=${topic}`, { method: 'GET' })
    expect(now.body.seq).toBe(head)
    const visible = [...tables.values()].filter((t) =>
      (t as unknown as { server_id: string | null }).server_id === userId
    )
    expect(visible.sort((x, y) => String((x as never)['label']).localeCompare(String((y as never)['label']))))
      .toEqual(now.body.data.tables)

    await me.removeChannel(channel)
  })

  it('catch-up answers refetch_snapshot when the log no longer reaches back, or the client is ahead', async () => {
    const userId = randomUUID()
    await sql`insert into auth.users (id, email, encrypted_password) values (${userId}, ${`fn-${
      userId.slice(0, 8)
    }@bistro.test`}, extensions.crypt('plater-demo', extensions.gen_salt('bf', 4)))`
    await sql`insert into public.staff (user_id, restaurant_id, role, display_name) values (${userId}, ${BISTRO}, 'server', 'Pruned server')`
    const me = await signedIn(`fn-${userId.slice(0, 8)}@bistro.test`)
    const topic = `server:${BISTRO}:${userId}`
    const table = await ownTable(sql)
    await invoke(me, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    await invoke(me, `tables/${table.id}/clear`)

    const ahead = await invoke(me, `catch-up?topic=${topic}&after=99`, { method: 'GET' })
    expect(ahead.status).toBe(410)
    expect(ahead.body).toMatchObject({
      code: 'refetch_snapshot',
      details: { reason: 'ahead_of_topic', last_seq: 2 },
    })

    // what plater_private.prune_topic_log does after 24 h, for this topic only
    await sql`delete from plater_private.topic_log where topic = ${topic} and seq = 1`
    await sql`insert into plater_private.topic_retention (topic, pruned_through) values (${topic}, 1)`
    const gone = await invoke(me, `catch-up?topic=${topic}&after=0`, { method: 'GET' })
    expect(gone.status).toBe(410)
    expect(gone.body.details.reason).toBe('beyond_retention')
    const stillThere = await invoke(me, `catch-up?topic=${topic}&after=1`, { method: 'GET' })
    expect(stillThere.status).toBe(200)
    expect(stillThere.body.events.map((e: { payload: { seq: number } }) => e.payload.seq)).toEqual([2])
  })
})
