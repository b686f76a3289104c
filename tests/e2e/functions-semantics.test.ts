// What a mutation guarantees, through the stack with the official client: replays, concurrent retries, version
// conflicts, rights, transitions, validation, authentication.
import { randomUUID } from 'node:crypto'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  client,
  EMAILS,
  eventsAbout,
  invoke,
  menuItem,
  ownerDb,
  ownTable,
  signedIn,
  testStack,
} from './functions-helpers.ts'

let sql: Sql
let server: Awaited<ReturnType<typeof signedIn>>
beforeAll(async () => {
  sql = ownerDb()
  server = await signedIn(EMAILS.ana)
})
afterAll(async () => {
  await sql.end()
})

describe('Idempotency-Key', () => {
  it('a duplicate request replays the first answer and changes nothing', async () => {
    const table = await ownTable(sql)
    const key = randomUUID()
    const first = await invoke(server, `tables/${table.id}/seat`, { key, body: { party_size: 2 } })
    expect(first.status).toBe(200)
    const logBefore = await eventsAbout(sql, table.id)
    const [versionBefore] = await sql`select version from public.dining_tables where id = ${table.id}`

    const again = await invoke(server, `tables/${table.id}/seat`, { key, body: { party_size: 2 } })
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(first.body)
    expect(await eventsAbout(sql, table.id)).toBe(logBefore)
    const [versionAfter] = await sql`select version from public.dining_tables where id = ${table.id}`
    expect(versionAfter!.version).toBe(versionBefore!.version)
  })

  it('two concurrent requests with one key: one applied, the other 409 in flight or a replay', async () => {
    const table = await ownTable(sql)
    const key = randomUUID()
    const logBefore = await eventsAbout(sql, table.id)
    const answers = await Promise.all([
      invoke(server, `tables/${table.id}/seat`, { key, body: { party_size: 4 } }),
      invoke(server, `tables/${table.id}/seat`, { key, body: { party_size: 4 } }),
    ])
    const applied = answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') !== 'true')
    expect(applied).toHaveLength(1)
    const other = answers.find((a) => a !== applied[0])!
    if (other.status === 409) {
      expect(other.body.code).toBe('idempotency_key_in_flight')
      expect(other.headers.get('retry-after')).toBe('1')
    } else {
      expect(other.status).toBe(200)
      expect(other.headers.get('idempotent-replayed')).toBe('true')
    }
    const [row] = await sql`select version from public.dining_tables where id = ${table.id}`
    expect(row!.version).toBe(2)
    // seating publishes to floor, the server's topic and admin: once
    expect(await eventsAbout(sql, table.id)).toBe(logBefore + 3)
  })

  it('the same key with another body is 422; no key is 400', async () => {
    const table = await ownTable(sql)
    const key = randomUUID()
    expect((await invoke(server, `tables/${table.id}/seat`, { key, body: { party_size: 2 } })).status).toBe(
      200,
    )
    const reused = await invoke(server, `tables/${table.id}/seat`, { key, body: { party_size: 6 } })
    expect(reused.status).toBe(422)
    expect(reused.body.code).toBe('idempotency_key_reused')
    const missing = await invoke(server, `tables/${table.id}/clear`, { key: false })
    expect(missing.status).toBe(400)
    expect(missing.body.code).toBe('idempotency_key_required')
  })
})

describe('versions, rights, transitions, input', () => {
  it('a stale expected version is 409 with the current row; via If-Match it is 412', async () => {
    const table = await ownTable(sql)
    const seated = await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    const stale = await invoke(server, `tables/${table.id}/clear`, { body: { expected_version: 1 } })
    expect(stale.status).toBe(409)
    expect(stale.body.code).toBe('version_conflict')
    expect(stale.body.details.current).toMatchObject({ id: table.id, version: 2, status: 'seated' })
    const precondition = await invoke(server, `tables/${table.id}/clear`, { headers: { 'If-Match': '"1"' } })
    expect(precondition.status).toBe(412)
    expect(precondition.body.details.current.version).toBe(2)
    const current = await invoke(server, `tables/${table.id}/clear`, {
      headers: { 'If-Match': seated.headers.get('etag')! },
    })
    expect(current.status).toBe(200)
  })

  it('a role without the right is 403', async () => {
    const table = await ownTable(sql)
    const cook = await signedIn(EMAILS.grill)
    const denied = await invoke(cook, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    expect(denied.status).toBe(403)
    expect(denied.body).toMatchObject({ code: 'forbidden', message: 'a cook may not seat tables' })
    // and another server's table is not theirs to clear
    await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    const ben = await signedIn(EMAILS.ben)
    expect((await invoke(ben, `tables/${table.id}/clear`)).status).toBe(403)
  })

  it('an illegal transition is 422', async () => {
    const table = await ownTable(sql)
    await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 2 } })
    const burger = await menuItem(sql, 'Burger')
    const placed = await invoke(server, 'orders', {
      body: { table_id: table.id, items: [{ menu_item_id: burger, qty: 1 }] },
    })
    const expo = await signedIn(EMAILS.expo)
    const recall = await invoke(expo, `kitchen/items/${placed.body.items[0].id}/recall`)
    expect(recall.status).toBe(422)
    expect(recall.body.code).toBe('illegal_transition')
    const clear = await invoke(server, `tables/${table.id}/clear`)
    expect(clear.status).toBe(422)
    expect(clear.body.message).toMatch(/unserved orders/)
  })

  it('a malformed body is 400 naming the field', async () => {
    const table = await ownTable(sql)
    const bad = await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 'four' } })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('invalid_request')
    expect(bad.body.details.issues).toEqual([{
      path: 'party_size',
      message: 'party_size must be an integer',
    }])
    const order = await invoke(server, 'orders', {
      body: { table_id: table.id, items: [{ menu_item_id: 'x', qty: 1 }] },
    })
    expect(order.status).toBe(400)
    expect(order.body.details.issues[0]).toEqual({
      path: 'items.0.menu_item_id',
      message: 'menu_item_id must be a UUID',
    })
    const notJson = await fetch(`${testStack().apiUrl}/functions/v1/tables/${table.id}/seat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(await server.auth.getSession()).data.session!.access_token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: '{party_size: 2',
    })
    expect(notJson.status).toBe(400)
    expect((await notJson.json()).code).toBe('invalid_json')
  })

  it('401 without a token, with a bad one, and with only the anon key', async () => {
    const { apiUrl, anonKey } = testStack()
    const url = `${apiUrl}/functions/v1/tables/${randomUUID()}/seat`
    const none = await fetch(url, { method: 'POST', body: '{}' })
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ code: 'missing_authorization' })
    const forged = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer a.b.c' },
      body: '{}',
    })
    expect(forged.status).toBe(401)
    expect((await forged.json()).code).toBe('invalid_jwt')
    const anon = await invoke(client(), `tables/${randomUUID()}/seat`, { body: { party_size: 2 } })
    expect(anon.status).toBe(401)
    expect(anon.body.code).toBe('user_token_required')
    void anonKey
  })

  it('CORS preflight is answered without a token', async () => {
    const res = await fetch(`${testStack().apiUrl}/functions/v1/orders`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'idempotency-key',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/)
  })
})
