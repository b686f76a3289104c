import { describe, expect, it } from 'vitest'
import { MutationError } from '../../../client/src/errors.ts'
import { KDS, rig, rigsClosedAfterEach, SERVER } from './client-helpers.ts'
import { type Call, FakeBackend, FakeClock, memoryStorage, settle, STATION } from './fakes.ts'

const setup = rigsClosedAfterEach()

const item = (status: string, order = 'o1') => ({
  order_id: order,
  status,
  name: 'Burger',
  qty: 1,
  course: 1,
  table: 'T1',
})

/** A kds scope with items a, b, c of order o1 (all pending, version 1). */
async function kitchen(options: Parameters<typeof rig>[0] = {}) {
  const r = setup(options)
  const topic = r.backend.topic(KDS)
  for (const id of ['a', 'b', 'c']) topic.publish('item', id, item('pending'))
  const kds = r.plater.open({ scope: 'kds', stationId: STATION })
  await kds.ready()
  await settle()
  const status = (id: string) => {
    const found = kds.getView().tickets.flatMap((t) => t.items).find((i) => i.id === id)
    return found ? `${found.status}${found.pending ? '*' : ''}` : 'gone'
  }
  const posts = () => r.backend.calls.filter((c) => c.method === 'POST')
  /** The server applying a kitchen mutation: the topic publishes it (the echo) and the answer carries the row. */
  const serverApplies = (call: Call, status: string) => {
    const id = call.path.split('/')[2]!
    const message = topic.publish('item', id, { ...item(status) })
    return { message, answer: { status: 200, body: { item: { id, version: message.version, status } } } }
  }
  return { ...r, topic, kds, status, posts, serverApplies }
}

describe('optimistic mutations', () => {
  it('show at once as pending, stay pending until the broadcast echoes the answer, then are confirmed', async () => {
    const k = await kitchen()
    const echoes: Record<string, unknown>[] = []
    k.backend.onPost = (call) => {
      const { message, answer } = k.serverApplies(call, 'preparing')
      echoes.push(message)
      return answer
    }
    const started = k.plater.mutations.startItem({ itemId: 'a' })
    expect(k.status('a')).toBe('preparing*') // before the caller's next line
    await started
    expect(k.status('a')).toBe('preparing*') // answered, the topic has not shown it yet: no flicker back
    k.link.send(KDS, echoes[0]!)
    await settle()
    expect(k.status('a')).toBe('preparing')
    expect(k.plater.health.get().pendingMutations).toBe(0)
    const [post] = k.posts()
    expect(post!.path).toBe('kitchen/items/a/start')
    expect(post!.body).toEqual({ expected_version: 1 })
    expect(post!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('on refusal rebuilds from confirmed ⊕ still pending: only the refused change goes, a remote change stays', async () => {
    const k = await kitchen()
    let refuse: ((answer: unknown) => void) | null = null
    k.backend.onPost = (call) => {
      if (call.path.includes('/a/')) return new Promise((resolve) => (refuse = resolve as never))
      return new Promise(() => {}) // b's answer never comes in this test: it stays pending
    }
    const a = k.plater.mutations.startItem({ itemId: 'a' })
    const b = k.plater.mutations.voidItem({ itemId: 'b', reason: 'sent back' })
    b.catch(() => {}) // still unanswered when the test ends: close() rejects it
    await settle()
    expect([k.status('a'), k.status('b'), k.status('c')]).toEqual(['preparing*', 'gone', 'pending'])
    // someone else finishes c meanwhile (a broadcast arrives while a and b are pending)
    k.link.send(KDS, k.topic.publish('item', 'c', item('ready')))
    refuse!({
      status: 409,
      body: { code: 'version_conflict', message: 'stale', details: { current: { version: 2 } } },
    })
    const error = await a.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MutationError)
    expect(error).toMatchObject({
      code: 'version_conflict',
      status: 409,
      details: { current: { version: 2 } },
    })
    expect([k.status('a'), k.status('b'), k.status('c')]).toEqual(['pending', 'gone', 'ready'])
    expect(k.plater.health.get().rollbacks).toBe(1)
    void b
  })

  it('runs one lane per row: a second change to an item waits for the first answer and sends its version', async () => {
    const k = await kitchen()
    const answers: (() => void)[] = []
    k.backend.onPost = (call) =>
      new Promise((resolve) => {
        answers.push(() =>
          resolve(k.serverApplies(call, call.path.endsWith('start') ? 'preparing' : 'ready').answer)
        )
      })
    const start = k.plater.mutations.startItem({ itemId: 'a' })
    const finish = k.plater.mutations.finishItem({ itemId: 'a' })
    const other = k.plater.mutations.startItem({ itemId: 'c' }) // another row, same order: the order lane
    await settle()
    expect(k.status('a')).toBe('ready*')
    expect(k.posts().map((p) => p.path)).toEqual(['kitchen/items/a/start'])
    answers.shift()!()
    await start
    await settle()
    expect(k.posts().map((p) => [p.path, p.body])).toEqual([
      ['kitchen/items/a/start', { expected_version: 1 }],
      ['kitchen/items/a/finish', { expected_version: 2 }], // the version the first answer gave
    ])
    answers.shift()!()
    await finish
    await settle()
    expect(k.posts()).toHaveLength(3)
    answers.shift()!()
    await other
  })

  it('puts a bump and a recall of the same ticket in one lane', async () => {
    const k = await kitchen()
    const answers: (() => void)[] = []
    k.backend.onPost = () => new Promise((resolve) => answers.push(() => resolve({ status: 200, body: {} })))
    const bump = k.plater.mutations.bumpTicket({ orderId: 'o1', stationId: STATION })
    const recall = k.plater.mutations.recallItem({ itemId: 'a' })
    await settle()
    expect(k.posts()).toHaveLength(1)
    expect([k.status('a'), k.status('b')]).toEqual(['preparing*', 'ready*']) // bump, then recall on top
    answers.shift()!()
    await bump
    await settle()
    expect(k.posts()).toHaveLength(2)
    answers.shift()!()
    await recall
  })

  it('drops, unsent, the changes that built on a refused one', async () => {
    const k = await kitchen()
    k.backend.onPost = () => ({ status: 422, body: { code: 'illegal_transition', message: 'no' } })
    const start = k.plater.mutations.startItem({ itemId: 'a' })
    const finish = k.plater.mutations.finishItem({ itemId: 'a' })
    await expect(start).rejects.toMatchObject({ code: 'illegal_transition' })
    await expect(finish).rejects.toMatchObject({
      code: 'dependency_rejected',
      details: { code: 'illegal_transition' },
    })
    expect(k.posts()).toHaveLength(1)
    expect(k.status('a')).toBe('pending')
  })

  it('retries network failures with backoff and the same Idempotency-Key, then resolves once', async () => {
    const k = await kitchen()
    let failures = 3
    k.backend.onPost = (call) => (failures-- > 0 ? 'network' : k.serverApplies(call, 'preparing').answer)
    let resolved = 0
    const started = k.plater.mutations.startItem({ itemId: 'a' }).then((r) => {
      resolved++
      return r
    })
    await settle()
    expect(k.posts()).toHaveLength(1)
    expect(k.status('a')).toBe('preparing*')
    await k.clock.advance(20_000)
    await started
    expect(resolved).toBe(1)
    expect(k.posts()).toHaveLength(4)
    expect(new Set(k.posts().map((p) => p.headers['idempotency-key'])).size).toBe(1)
  })

  it('retries a key still in flight after Retry-After, and gives up on a 5xx after a few tries', async () => {
    const k = await kitchen()
    let n = 0
    k.backend.onPost = () => (n++ === 0
      ? {
        status: 409,
        body: { code: 'idempotency_key_in_flight', message: 'wait' },
        headers: { 'retry-after': '1' },
      }
      : { status: 503, body: { code: 'database_unavailable', message: 'down' } })
    const started = k.plater.mutations.startItem({ itemId: 'a' })
    started.catch(() => {}) // asserted below, after the clock has run
    await settle()
    await k.clock.advance(999)
    expect(k.posts()).toHaveLength(1)
    await k.clock.advance(1)
    expect(k.posts()).toHaveLength(2)
    await k.clock.advance(120_000)
    await expect(started).rejects.toMatchObject({ code: 'database_unavailable', status: 503 })
    expect(k.posts()).toHaveLength(7) // 1 in-flight + 1 + 5 retries
    expect(k.status('a')).toBe('pending')
  })

  it('stops showing an answered change whose broadcast never came, and resyncs the topic', async () => {
    const k = await kitchen({ settleTimeoutMs: 5000 })
    k.backend.onPost = (call) => k.serverApplies(call, 'preparing').answer // published, but never sent on the socket
    await k.plater.mutations.startItem({ itemId: 'a' })
    expect(k.status('a')).toBe('preparing*')
    const catchUps = k.backend.count('catch-up')
    await k.clock.advance(5000)
    expect(k.backend.count('catch-up')).toBe(catchUps + 1)
    expect(k.status('a')).toBe('preparing') // from the catch-up, confirmed
  })
})

describe('offline queue', () => {
  it('keeps mutations made offline, shows them pending, and sends them in order when the network returns', async () => {
    const k = await kitchen()
    k.backend.onPost = (call) =>
      k.serverApplies(call, call.path.endsWith('start') ? 'preparing' : 'ready').answer
    k.backend.offline = true
    const first = k.plater.mutations.startItem({ itemId: 'a' })
    const second = k.plater.mutations.finishItem({ itemId: 'a' })
    const third = k.plater.mutations.startItem({ itemId: 'b' })
    await k.clock.advance(3000)
    expect([k.status('a'), k.status('b')]).toEqual(['ready*', 'preparing*'])
    expect(k.plater.health.get().pendingMutations).toBe(3)
    const tried = k.posts().length
    k.backend.offline = false
    k.link.drop()
    k.link.status(KDS, 'joined') // the socket is back: the queue does not wait out its backoff
    await settle()
    await Promise.all([first, second, third])
    const sent = k.posts().slice(tried).map((p) => p.path)
    expect(sent).toEqual(['kitchen/items/a/start', 'kitchen/items/a/finish', 'kitchen/items/b/start'])
  })

  it('survives a reload: a new client for the same user sends what the old one could not, with the same keys', async () => {
    const storage = memoryStorage()
    const backend = new FakeBackend()
    backend.topic(KDS)
    for (const id of ['a']) backend.topic(KDS).publish('item', id, item('pending'))
    backend.offline = true
    const before = setup({ storage }, { backend })
    const lost = before.plater.mutations.startItem({ itemId: 'a' })
    lost.catch(() => {})
    await settle()
    expect([...storage.data.keys()]).toEqual(['plater:mutations:http://stack:u-cook'])
    const key = before.backend.calls.find((c) => c.method === 'POST')?.headers['idempotency-key']
    await before.plater.close()
    backend.offline = false
    const posts: Call[] = []
    backend.onPost = (call) => {
      posts.push(call)
      return { status: 200, body: { item: { id: 'a', version: 2 } } }
    }
    const after = setup({ storage }, { backend, clock: new FakeClock() })
    const kds = after.plater.open({ scope: 'kds', stationId: STATION })
    await kds.ready()
    await settle()
    expect(posts.map((p) => [p.path, p.headers['idempotency-key'], p.body])).toEqual([
      ['kitchen/items/a/start', key, {}], // the version it was made against was not known offline-before-load: none sent
    ])
    expect(storage.data.size).toBe(0)
  })
})

describe('server-side mutations', () => {
  it('a placed order shows at once with made-up ids, then with the real ones', async () => {
    const r = setup()
    const server = r.backend.topic(SERVER)
    server.publish('table', 't1', {
      label: 'T1',
      seats: 4,
      status: 'seated',
      server_id: 'u-cook',
      party_size: 2,
      seated_at: null,
    })
    const mine = r.plater.open({ scope: 'server' })
    await mine.ready()
    r.backend.onPost = () => ({
      status: 201,
      body: {
        order: {
          id: 'real-order',
          version: 1,
          status: 'open',
          server_id: 'u-cook',
          created_at: '2026-11-30T20:00:00Z',
        },
        items: [{
          id: 'real-item',
          version: 1,
          menu_item_id: 'm-burger',
          name: 'Burger',
          status: 'pending',
          order_id: 'real-order',
        }],
      },
    })
    const placed = r.plater.mutations.placeOrder({
      tableId: 't1',
      items: [{ menuItemId: 'm-burger', qty: 2 }],
    })
    const optimistic = mine.getView().orders
    expect(optimistic).toHaveLength(1)
    expect(optimistic[0]).toMatchObject({ pending: true, table_id: 't1', table: 'T1', status: 'open' })
    expect(optimistic[0]!.items).toMatchObject([{ qty: 2, status: 'pending', pending: true }])
    await placed
    expect(mine.getView().orders.map((o) => [o.id, o.items.map((i) => i.id)])).toEqual([['real-order', [
      'real-item',
    ]]])
    r.link.send(
      SERVER,
      server.publish('order', 'real-order', {
        table_id: 't1',
        table: 'T1',
        server_id: 'u-cook',
        status: 'open',
        note: null,
        created_at: '2026-11-30T20:00:00Z',
      }),
    )
    r.link.send(
      SERVER,
      server.publish('item', 'real-item', {
        order_id: 'real-order',
        course: 1,
        name: 'Burger',
        qty: 2,
        modifiers: [],
        status: 'pending',
      }),
    )
    await settle()
    expect(mine.getView().orders.map((o) => [o.id, o.pending, o.items.map((i) => [i.id, i.pending])]))
      .toEqual([
        ['real-order', false, [['real-item', false]]],
      ])
    expect(r.plater.mutations.pending()).toHaveLength(0)
  })
})
