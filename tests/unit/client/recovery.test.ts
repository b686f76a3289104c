// Recovery on a clock the tests advance: a database that starts a new epoch reaches the views at once; a refused
// scope says so with ScopeAccessError; close() settles every mutation; the offline queue outlives a reload under
// another spelling of the project URL; one retry engine and its public policy.
import { describe, expect, it } from 'vitest'
import { ScopeAccessError } from '../../../client/src/errors.ts'
import { EXPO, KDS, rigsClosedAfterEach } from './client-helpers.ts'
import { FakeBackend, FakeClock, memoryStorage, settle, STATION } from './fakes.ts'

const setup = rigsClosedAfterEach()

const item = (id: string, status = 'pending') => ({
  order_id: 'o1',
  status,
  name: id,
  qty: 1,
  course: 1,
  table: 'T1',
})

/** Whether a promise settled by now, and how. */
function outcome(promise: Promise<unknown>): Promise<unknown> {
  return Promise.race([
    promise.then(() => 'resolved', (error: unknown) => error),
    settle().then(() => 'unsettled'),
  ])
}

describe('recovery', () => {
  it('reloads at once when the database announces a new epoch, and counts the reset', async () => {
    const { plater, link, backend } = setup()
    const topic = backend.topic(KDS)
    topic.publish('item', 'old', item('old'))
    const kds = plater.open({ scope: 'kds', stationId: STATION })
    await kds.ready()
    await settle()
    const healedBefore = plater.health.get().gapsHealed

    topic.reset('epoch-2') // `plater reset`: the old rows are gone, seq starts over
    topic.publish('item', 'new', item('new'))
    link.broadcast(KDS, 'epoch_changed', { epoch: 'epoch-2' })
    await settle()
    expect(kds.getView().tickets.flatMap((t) => t.items.map((i) => i.id))).toEqual(['new'])
    expect(plater.health.get()).toMatchObject({ resets: 1, status: 'live' })
    expect(plater.health.get().gapsHealed).toBe(healedBefore + 1)

    // the same epoch announced again (a second reset call) changes nothing
    const snapshots = backend.count('snapshot')
    link.broadcast(KDS, 'epoch_changed', { epoch: 'epoch-2' })
    await settle()
    expect(backend.count('snapshot')).toBe(snapshots)
  })

  it('fails a scope whose snapshot is refused with the documented ScopeAccessError', async () => {
    const { plater, backend } = setup()
    backend.topics.delete(EXPO) // the fake answers 403 forbidden for a topic it does not hold
    const expo = plater.open({ scope: 'expo' })
    const error = await expo.ready().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScopeAccessError)
    expect(expo.error).toBeInstanceOf(ScopeAccessError)
    expect(expo.error).toMatchObject({ code: 'forbidden', status: 403 })
    expect(expo.status).toBe('error')
    expect(plater.health.get().status).toBe('live') // a refused scope says nothing about the network
  })

  it('rejects every unanswered mutation on close() with a clear error, and pending() empties', async () => {
    const { plater, backend } = setup()
    backend.offline = true
    const queued = plater.mutations.startItem({ itemId: 'a' })
    await settle()
    expect(plater.mutations.pending()).toHaveLength(1)
    await plater.close()
    const error = await outcome(queued)
    expect(error).toMatchObject({ name: 'MutationError', code: 'client_closed' })
    expect((error as Error).message).toMatch(/closed before the server answered/)
    expect(plater.mutations.pending()).toHaveLength(0)
  })

  it('keeps the offline queue across a reload that spells the project URL differently', async () => {
    const storage = memoryStorage()
    const backend = new FakeBackend()
    backend.offline = true
    const before = setup({ storage, supabaseUrl: 'HTTP://Stack:80/' }, { backend })
    before.plater.mutations.startItem({ itemId: 'a' }).catch(() => {})
    await settle()
    expect([...storage.data.keys()]).toEqual(['plater:mutations:http://stack:u-cook'])
    await before.plater.close()
    expect(storage.data.size).toBe(1) // close() keeps it for the next client

    backend.offline = false
    const after = setup({ storage, supabaseUrl: 'http://stack' }, { backend, clock: new FakeClock() })
    await settle()
    await after.clock.advance(1000)
    expect(backend.calls.filter((c) => c.method === 'POST' && c.path === 'kitchen/items/a/start').length)
      .toBeGreaterThanOrEqual(2)
    expect(after.plater.mutations.pending().every((m) => m.state === 'answered')).toBe(true)
  })

  it('retries on one engine with a public policy: 5xx up to serverAttempts, then the refusal', async () => {
    const { plater, backend, clock } = setup({ retry: { baseMs: 100, maxMs: 100, serverAttempts: 2 } })
    backend.onPost = () => ({ status: 503, body: { code: 'unavailable', message: 'busy' } })
    const sent = plater.mutations.startItem({ itemId: 'a' })
    const failed = sent.catch((e: unknown) => e)
    await clock.advance(1000)
    expect(await failed).toMatchObject({ code: 'unavailable', status: 503 })
    expect(backend.count('kitchen/items/a/start')).toBe(3)
  })

  it('one wake: when the browser is back online, the catch-up and the queued mutation both try at once', async () => {
    const { plater, backend, clock, page, link } = setup({ retry: { baseMs: 60_000, maxMs: 60_000 } })
    const kds = plater.open({ scope: 'kds', stationId: STATION })
    await kds.ready()
    backend.offline = true
    page.window.dispatchEvent(new Event('offline'))
    const started = plater.mutations.startItem({ itemId: 'a' })
    link.drop()
    link.status(KDS, 'joined')
    await clock.advance(100)
    const tries = { posts: backend.count('kitchen/'), catchUps: backend.count('catch-up') }
    backend.offline = false
    page.window.dispatchEvent(new Event('online'))
    await settle()
    expect(backend.count('kitchen/')).toBe(tries.posts + 1) // not 60 s later
    expect(backend.count('catch-up')).toBeGreaterThan(tries.catchUps)
    await started
    expect(plater.health.get().status).toBe('live')
  })
})

describe('crew input is untrusted', () => {
  it('drops presence metas and broadcasts that fail their schema, counts them once, and keeps the good ones', async () => {
    const { plater, link, clock } = setup()
    const crew = plater.open({ scope: 'crew' })
    await crew.ready()
    const topic = 'crew:r1'
    const state = {
      'u-good': [{ screen: '/kds', status: 'live', name: 'Gus', role: 'cook', presence_ref: 'r0' }],
      'u-empty': [{ presence_ref: 'r1' }],
      'u-role': [{ screen: '/kds', role: 5, presence_ref: 'r2' }],
      'u-name': [{ screen: '/kds', name: { a: 1 }, presence_ref: 'r3' }],
      'u-status': [{ screen: '/kds', status: 'fine', presence_ref: 'r4' }],
    }
    link.presence(topic, state)
    link.presence(topic, state) // a sync repeats the whole state: the same bad entries are not counted again
    link.broadcast(topic, 'notice', { text: 5 })
    link.broadcast(topic, 'notice', 'not an object')
    link.broadcast(topic, 'notice', { text: '86 ribeye' })
    await clock.advance(1000)
    const view = crew.getView()
    expect(view.members).toEqual([{
      key: 'u-good',
      metas: [{ screen: '/kds', status: 'live', name: 'Gus', role: 'cook' }],
    }])
    expect(view.messages.map((m) => m.payload)).toEqual([{ text: '86 ribeye' }])
    expect(plater.health.get().crewRejected).toBe(4 + 2)
  })
})
