// Recovery through the real stack: a channel the gateway closed for an expired token joins again once a valid
// token exists; a refused scope fails with ScopeAccessError; close() settles what it still holds; the offline
// queue outlives a reload that spells the project URL differently.
import WebSocket from 'ws'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPlaterClient, type PlaterClient, ScopeAccessError } from '../../client/src/index.ts'
import { SEED, SEED_MENU } from '../helpers/seed.ts'
import { STATIONS, testStack } from './functions-helpers.ts'
import { memoryStorage } from '../unit/client/fakes.ts'
import { type Scene, scene, staffClient, waitUntil } from './client-helpers.ts'

let s: Scene
const clients: PlaterClient[] = []
beforeAll(async () => {
  s = await scene({
    reconnect: { baseMs: 100, maxMs: 500 },
    retry: { baseMs: 100, maxMs: 500 },
    pollAfterMs: 600_000,
  })
})
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()))
  await s?.close()
})

/** A token of the grill cook's, signed like the stack's own (legacy HS256 secret), valid for `seconds`. */
function grillToken(seconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    role: 'authenticated',
    sub: SEED.users.grill.id,
    aud: 'authenticated',
    iat: now,
    exp: now + seconds,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(testStack().jwtSecret))
}

async function itemStatus(id: string): Promise<string> {
  const [row] = await s.sql<
    { status: string }[]
  >`select status::text from public.order_items where id = ${id}`
  return row!.status
}

describe('recovery', () => {
  it(
    'rejoins a channel the gateway closed for an expired token as soon as refreshAuth() brings a valid one',
    { timeout: 60_000 },
    async () => {
      const { apiUrl, anonKey } = testStack()
      let token = await grillToken(3)
      const expiresAt = Date.now() + 3_000
      const plater = createPlaterClient({
        supabaseUrl: apiUrl,
        anonKey,
        transport: WebSocket,
        storage: null,
        accessToken: () => Promise.resolve(token),
        pollAfterMs: 600_000,
        reconnect: { baseMs: 60_000, maxMs: 60_000 }, // neither polling nor a timed rejoin may stand in
      })
      clients.push(plater)
      const kds = plater.open({ scope: 'kds', stationId: STATIONS.grill })
      await kds.ready()
      // the token runs out: the gateway ends the channel ("Token has expired …"), and nothing brings it back by itself
      await waitUntil(
        () => Date.now() > expiresAt && kds.status !== 'live',
        'the channel closed by the gateway',
        20_000,
      )
      await new Promise((resolve) => setTimeout(resolve, 2_000))
      expect(kds.status).toBe('catching_up')
      token = await grillToken(3600)
      await plater.refreshAuth()
      await waitUntil(() => kds.status === 'live', 'the channel joined again', 20_000)

      // and it carries changes again, over the socket (polling is off)
      const { itemIds } = await s.order([SEED_MENU.burger])
      await waitUntil(
        () => kds.getView().tickets.some((t) => t.items.some((i) => i.id === itemIds[0])),
        'a new ticket, live',
        20_000,
      )
      kds.release()
    },
  )

  it('fails a refused scope with the documented ScopeAccessError', async () => {
    const expo = s.cook.plater.open({ scope: 'expo' }) // a cook may not read expo
    const error = await expo.ready().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScopeAccessError)
    expect(expo.error).toBeInstanceOf(ScopeAccessError)
    expect(expo.error).toMatchObject({ code: 'forbidden', status: 403 })
    expo.release()
  })

  it('rejects a mutation still unanswered at close() with a clear error', { timeout: 30_000 }, async () => {
    const { apiUrl, anonKey } = testStack()
    const { itemIds } = await s.order([SEED_MENU.ribeye])
    const cook = await staffClient(apiUrl, anonKey, SEED.users.grill.email, { via: s.proxy.url })
    s.proxy.holdHttp()
    const started = cook.plater.mutations.startItem({ itemId: itemIds[0]! })
    const outcome = started.then(() => 'resolved', (error: unknown) => error)
    await waitUntil(() => s.proxy.held > 0, 'the request on its way')
    await cook.plater.close()
    const settled = await Promise.race([
      outcome,
      new Promise((resolve) => setTimeout(() => resolve('unsettled'), 5_000)),
    ])
    s.proxy.sever()
    s.proxy.releaseHttp()
    expect(settled).toMatchObject({ name: 'MutationError', code: 'client_closed' })
    expect(cook.plater.mutations.pending()).toHaveLength(0)
  })

  it(
    'sends the offline queue after a reload that spells the project URL differently',
    { timeout: 60_000 },
    async () => {
      const { apiUrl, anonKey } = testStack()
      const { itemIds } = await s.order([SEED_MENU.ribeye])
      const storage = memoryStorage()
      const before = await staffClient(apiUrl, anonKey, SEED.users.grill.email, {
        via: `${s.proxy.url}/`,
        storage,
      })
      s.proxy.holdHttp()
      before.plater.mutations.startItem({ itemId: itemIds[0]! }).catch(() => {})
      await waitUntil(() => storage.data.size === 1 && s.proxy.held > 0, 'the mutation queued and on its way')
      await before.plater.close()
      s.proxy.sever() // the old page's request never arrives
      s.proxy.releaseHttp()
      expect(await itemStatus(itemIds[0]!)).toBe('pending')

      const after = await staffClient(apiUrl, anonKey, SEED.users.grill.email, { via: s.proxy.url, storage })
      clients.push(after.plater)
      for (const deadline = Date.now() + 20_000; (await itemStatus(itemIds[0]!)) !== 'preparing';) {
        if (Date.now() > deadline) throw new Error('the restored mutation was never sent')
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      // the row changes before the answer reaches the client; the queue forgets the mutation once it has the answer
      await waitUntil(() => storage.data.size === 0, 'the answered mutation left the stored queue')
    },
  )
})
