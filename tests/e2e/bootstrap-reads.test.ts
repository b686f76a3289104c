// Session and menu through the stack with the official client, as a front end boots: sign in, ask who I am and
// what I may open, open exactly that; the menu for placing orders; revalidation with If-None-Match. And the
// topic epoch as a client meets it: snapshot and catch-up agree on it, a catch-up from another epoch is told to
// refetch. (The reset itself is tested in tests/functions/epoch_db_test.ts: the Deno suite runs alone, so changing
// the database's epoch there disturbs no other suite.)
import { randomUUID } from 'node:crypto'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Menu, Session } from '../../client/src/payloads.ts'
import { SEED_MENU } from '../helpers/seed.ts'
import { BISTRO, EMAILS, invoke, ownerDb, signedIn, STATIONS } from './functions-helpers.ts'

type Signed = Awaited<ReturnType<typeof signedIn>>
let sql: Sql
let cook: Signed
let server: Signed

beforeAll(async () => {
  sql = ownerDb()
  ;[cook, server] = await Promise.all([signedIn(EMAILS.grill), signedIn(EMAILS.ana)])
})
afterAll(async () => {
  await sql.end()
})

/** Joins a private topic; resolves with the channel's final subscribe status. */
async function join(who: Signed, topic: string): Promise<string> {
  await who.realtime.setAuth()
  const channel = who.channel(topic, { config: { private: true } })
  const status = await new Promise<string>((resolve) =>
    channel.subscribe((s) => s !== 'CLOSED' && resolve(s))
  )
  await who.removeChannel(channel)
  return status
}

describe('session', () => {
  it('tells a cook who they are, and every scope it lists can be joined', async () => {
    const answer = await invoke<Session>(cook, 'session', { method: 'GET' })
    expect(answer.status).toBe(200)
    expect(answer.body.staff).toMatchObject({
      role: 'cook',
      station_id: STATIONS.grill,
      restaurant_id: BISTRO,
    })
    expect(answer.body.scopes.map((s) => s.scope)).toEqual(['kds', 'crew'])
    for (const scope of answer.body.scopes) expect(await join(cook, scope.topic)).toBe('SUBSCRIBED')
    // and a topic it does not list is refused
    expect(await join(cook, `kds:${BISTRO}:${STATIONS.fry}`)).toBe('CHANNEL_ERROR')
  })

  it('revalidates with If-None-Match (304) and refuses a user who is no longer staff', async () => {
    const first = await invoke<Session>(server, 'session', { method: 'GET' })
    const tag = first.headers.get('etag')!
    const again = await invoke(server, 'session', { method: 'GET', headers: { 'If-None-Match': tag } })
    expect(again.status).toBe(304)

    const userId = randomUUID()
    const email = `boot-${userId.slice(0, 8)}@bistro.test`
    await sql`insert into auth.users (id, email, encrypted_password, email_confirmed_at)
              values (${userId}, ${email}, extensions.crypt('plater-demo', extensions.gen_salt('bf', 4)), now())`
    await sql`insert into public.staff (user_id, restaurant_id, role, display_name) values (${userId}, ${BISTRO}, 'server', 'Leaving')`
    const leaving = await signedIn(email)
    expect((await invoke(leaving, 'session', { method: 'GET' })).status).toBe(200)
    await sql`update public.staff set active = false where user_id = ${userId}`
    const refused = await invoke(leaving, 'session', { method: 'GET' })
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('not_staff')
  })
})

describe('menu', () => {
  it('lists the restaurant’s items with their fixed ids, priced for servers, not for cooks', async () => {
    const forServer = await invoke<Menu>(server, 'menu', { method: 'GET' })
    expect(forServer.status).toBe(200)
    expect(forServer.body.restaurant_id).toBe(BISTRO)
    expect(forServer.body.items).toContainEqual({
      id: SEED_MENU.burger,
      name: 'Burger',
      station_id: STATIONS.grill,
      price_cents: 1600,
      active: true,
    })
    const forCook = await invoke<Menu>(cook, 'menu', { method: 'GET' })
    expect(forCook.body.items.map((i) => i.id)).toEqual(forServer.body.items.map((i) => i.id))
    expect(forCook.body.items.some((i) => 'price_cents' in i)).toBe(false)
    const tag = forServer.headers.get('etag')!
    expect((await invoke(server, 'menu', { method: 'GET', headers: { 'If-None-Match': tag } })).status).toBe(
      304,
    )
  })
})

describe('topic epoch', () => {
  it('snapshot and catch-up carry the same epoch; a catch-up from another epoch must refetch', async () => {
    const topic = `floor:${BISTRO}`
    const snapshot = await invoke(server, `snapshot?topic=${topic}`, { method: 'GET' })
    const epoch: string = snapshot.body.epoch
    const caught = await invoke(server, `catch-up?topic=${topic}&after=${snapshot.body.seq}&epoch=${epoch}`, {
      method: 'GET',
    })
    expect(caught.status).toBe(200)
    expect(caught.body.epoch).toBe(epoch)
    const other = randomUUID()
    const stale = await invoke(server, `catch-up?topic=${topic}&after=${snapshot.body.seq}&epoch=${other}`, {
      method: 'GET',
    })
    expect(stale.status).toBe(410)
    expect(stale.body).toMatchObject({
      code: 'refetch_snapshot',
      details: { reason: 'epoch_changed', topic, epoch },
    })
  })
})
