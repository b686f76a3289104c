import { describe, expect, it } from 'vitest'
import { FunctionsApi } from '../../../client/src/functions-api.ts'
import { HealthMetrics } from '../../../client/src/health.ts'
import { RetryEngine } from '../../../client/src/retry.ts'
import { TopicStore } from '../../../client/src/store.ts'
import { FakeBackend, FakeClock, settle } from './fakes.ts'

const TOPIC = 'kds:r1:grill'

function setup() {
  const clock = new FakeClock()
  const backend = new FakeBackend()
  const topic = backend.topic(TOPIC, { order: 'orders', item: 'items', table: 'tables' })
  const api = new FunctionsApi({
    supabaseUrl: 'http://stack',
    anonKey: 'anon',
    fetch: backend.fetch,
    accessToken: () => Promise.resolve('t'),
    clock,
    requestTimeoutMs: 5000,
  })
  const metrics = new HealthMetrics(clock, () => {})
  const store = new TopicStore({
    topic: TOPIC,
    kind: 'kds',
    api,
    metrics,
    retry: new RetryEngine(clock, () => 0.5, { baseMs: 100, maxMs: 1000 }),
  })
  /** Every row version the store applied, in order: proves each seq was applied exactly once. */
  const applied: string[] = []
  store.onChange((change) => {
    for (const ref of change.entities) {
      applied.push(`${ref.id}@${store.confirmed[ref.type].get(ref.id)!.version}`)
    }
  })
  return { clock, backend, topic, store, metrics, applied }
}

const item = (status: string) => ({ order_id: 'o1', status, name: 'Burger', qty: 1, course: 1 })

describe('a topic store', () => {
  it('starts from the snapshot, then applies the deltas that follow it', async () => {
    const { topic, store, backend, applied } = setup()
    topic.publish('item', 'a', item('pending'))
    await store.resync()
    expect(store.status).toBe('live')
    expect(store.seq).toBe(1)
    store.receive(topic.publish('item', 'a', item('preparing')))
    store.receive(topic.publish('item', 'b', item('pending')))
    expect(store.seq).toBe(3)
    expect(store.confirmed.item.get('a')).toMatchObject({ status: 'preparing', version: 2 })
    expect(applied).toEqual(['a@2', 'b@1'])
    expect(backend.count('catch-up')).toBe(0)
  })

  it('holds messages that arrive while the snapshot loads and applies only those after its seq', async () => {
    const { topic, store, backend, applied } = setup()
    const first = topic.publish('item', 'a', item('pending'))
    const release = backend.hold((call) => call.path.startsWith('snapshot'))
    const loading = store.resync()
    await settle()
    const second = topic.publish('item', 'a', item('preparing')) // after the snapshot was taken? no: it is built on release
    store.receive(first)
    store.receive(second)
    release()
    await loading
    await settle()
    expect(store.seq).toBe(2)
    expect(store.confirmed.item.get('a')!.version).toBe(2)
    expect(applied).toEqual([]) // both were in the snapshot: nothing applied twice
    expect(backend.count('catch-up')).toBe(0)
  })

  it('puts messages that arrive out of order back in seq order', async () => {
    const { topic, store, applied } = setup()
    await store.resync()
    const m1 = topic.publish('item', 'a', item('pending'))
    const m2 = topic.publish('item', 'a', item('preparing'))
    const m3 = topic.publish('item', 'a', item('ready'))
    store.receive(m1)
    store.receive(m3)
    store.receive(m2)
    await settle()
    expect(store.seq).toBe(3)
    expect(applied).toEqual(['a@1', 'a@2', 'a@3'])
    expect(store.confirmed.item.get('a')!.status).toBe('ready')
  })

  it('drops duplicates and messages older than the row held', async () => {
    const { topic, store, metrics, applied, backend } = setup()
    await store.resync()
    const m1 = topic.publish('item', 'a', item('pending'))
    store.receive(m1)
    store.receive(m1)
    store.receive({ ...m1 })
    await settle()
    expect(applied).toEqual(['a@1'])
    expect(metrics.duplicates).toBe(2)
    expect(backend.count('catch-up')).toBe(0)
  })

  it('fills a seq gap by catch-up, applying every missed message exactly once', async () => {
    const { topic, store, backend, applied, metrics } = setup()
    await store.resync()
    const messages = Array.from({ length: 6 }, (_, i) => topic.publish('item', `i${i}`, item('pending')))
    store.receive(messages[0]!)
    store.receive(messages[4]!) // 2, 3, 4 lost
    await settle()
    store.receive(messages[5]!)
    store.receive(messages[3]!) // a late one, already fetched
    await settle()
    expect(store.seq).toBe(6)
    expect(applied).toEqual(['i0@1', 'i1@1', 'i2@1', 'i3@1', 'i4@1', 'i5@1'])
    expect(backend.count('catch-up')).toBe(1)
    expect(metrics.gapsHealed).toBe(1)
  })

  it('collapses concurrent reasons to catch up into one request', async () => {
    const { topic, store, backend } = setup()
    await store.resync()
    const messages = Array.from({ length: 8 }, (_, i) => topic.publish('item', `i${i}`, item('pending')))
    const release = backend.hold((call) => call.path.startsWith('catch-up'))
    store.receive(messages[2]!) // gap
    store.receive(messages[4]!) // another gap while the first catch-up is in flight
    store.receive(messages[7]!)
    void store.resync() // and a reconnect
    void store.resync()
    await settle()
    expect(backend.count('catch-up')).toBe(1)
    release()
    await settle()
    expect(store.seq).toBe(8)
    // the reconnect asked for a request after its own time: one more, not one per reason
    expect(backend.count('catch-up')).toBe(2)
  })

  it('pages through a long catch-up', async () => {
    const { topic, store, backend } = setup()
    await store.resync()
    for (let i = 0; i < 1200; i++) topic.publish('item', `i${i % 50}`, item('pending'))
    await store.resync()
    expect(store.seq).toBe(1200)
    expect(backend.count('catch-up')).toBe(3)
  })

  it('reloads the snapshot when the log no longer reaches back (refetch_snapshot)', async () => {
    const { topic, store, backend } = setup()
    await store.resync()
    for (let i = 0; i < 5; i++) topic.publish('item', `i${i}`, item('pending'))
    topic.retainedFrom = 3
    await store.resync()
    expect(store.seq).toBe(5)
    expect(store.confirmed.item.size).toBe(5)
    expect(backend.count('snapshot')).toBe(2)
  })

  it('notices a reset under it (new epoch, seq starting over) and ends showing the new data only', async () => {
    const { topic, store, backend } = setup()
    topic.publish('item', 'old', item('pending'))
    topic.publish('item', 'old', item('preparing'))
    topic.publish('item', 'old2', item('pending'))
    await store.resync()
    expect(store.seq).toBe(3)
    topic.reset('epoch-2')
    const fresh = topic.publish('item', 'new', item('pending')) // seq 1 again: at or below what the store holds
    store.receive(fresh)
    await settle()
    expect(store.epoch).toBe('epoch-2')
    expect([...store.confirmed.item.keys()]).toEqual(['new'])
    expect(store.seq).toBe(1)
    const catchUps = backend.calls.filter((c) => c.path.startsWith('catch-up'))
    expect(catchUps[0]!.path).toContain('epoch=epoch-1')
    store.receive(topic.publish('item', 'new', item('preparing')))
    expect(store.confirmed.item.get('new')!.status).toBe('preparing')
  })

  it('a reset that is already past the seq held is caught by the epoch on the next catch-up', async () => {
    const { topic, store } = setup()
    topic.publish('item', 'old', item('pending'))
    await store.resync()
    topic.reset('epoch-2')
    for (let i = 0; i < 4; i++) topic.publish('item', `n${i}`, item('pending'))
    await store.resync() // a reconnect: catch-up after seq 1 would hand out the new epoch's 2..4 without the epoch
    expect(store.epoch).toBe('epoch-2')
    expect([...store.confirmed.item.keys()].sort()).toEqual(['n0', 'n1', 'n2', 'n3'])
  })

  it('retries with backoff while the server cannot be reached, then heals', async () => {
    const { topic, store, backend, clock, applied } = setup()
    await store.resync()
    const messages = Array.from({ length: 3 }, (_, i) => topic.publish('item', `i${i}`, item('pending')))
    backend.offline = true
    store.receive(messages[2]!)
    await settle()
    expect(store.status).toBe('catching_up')
    await clock.advance(1000)
    const tries = backend.count('catch-up')
    expect(tries).toBeGreaterThan(1)
    backend.offline = false
    await clock.advance(2000)
    expect(store.status).toBe('live')
    expect(applied).toEqual(['i0@1', 'i1@1', 'i2@1'])
  })

  it('stops with an error when the server refuses the topic', async () => {
    const { store, backend } = setup()
    backend.topics.clear()
    await store.resync()
    expect(store.status).toBe('error')
    expect(store.error).toMatchObject({ code: 'forbidden', status: 403 })
  })

  it('ignores malformed messages', async () => {
    const { store, applied } = setup()
    await store.resync()
    store.receive({ seq: 'x', type: 'item', id: 'a', version: 1 })
    store.receive({ seq: 1, type: 'bogus', id: 'a', version: 1 })
    store.receive({ seq: 1, type: 'item', version: 1 })
    expect(store.seq).toBe(0)
    expect(applied).toEqual([])
  })
})
