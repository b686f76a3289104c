import { afterEach, describe, expect, it } from 'vitest'
import { ChannelLimitError } from '../../../client/src/errors.ts'
import { EXPO, FLOOR, KDS, type Rig, rig } from './client-helpers.ts'
import { settle, STATION } from './fakes.ts'

let current: Rig | null = null
afterEach(async () => {
  await current?.plater.close()
  current = null
})
function setup(...args: Parameters<typeof rig>): Rig {
  current = rig(...args)
  return current
}

describe('the scope pool', () => {
  it('shares one channel and one store among every handle of a scope, and leaves when the last goes', async () => {
    const { plater, link, backend } = setup()
    const a = plater.open({ scope: 'kds', stationId: STATION })
    const b = plater.open({ scope: 'kds', stationId: STATION })
    await a.ready()
    await b.ready()
    expect(link.joins).toEqual([KDS])
    expect(backend.count('snapshot')).toBe(1)
    a.release()
    a.release() // idempotent: must not release b's hold
    expect(link.leaves).toEqual([])
    b.release()
    expect(link.leaves).toEqual([KDS])
  })

  it('keeps a released scope for the cache TTL: opened again, it catches up instead of reloading', async () => {
    const { plater, link, backend, clock } = setup({ cacheTtlMs: 10_000 })
    const a = plater.open({ scope: 'kds', stationId: STATION })
    await a.ready()
    a.release()
    await clock.advance(5_000)
    const b = plater.open({ scope: 'kds', stationId: STATION })
    await settle()
    expect(backend.count('snapshot')).toBe(1)
    expect(link.joins).toEqual([KDS, KDS])
    expect(plater.health.get().cacheHitRate).toBeGreaterThan(0)
    b.release()
    await clock.advance(10_001)
    const c = plater.open({ scope: 'kds', stationId: STATION })
    await c.ready()
    expect(backend.count('snapshot')).toBe(2) // dropped after the TTL: loaded from cold
  })

  it('refuses a channel past maxChannelsPerConnection with a typed error, and counts only held scopes', () => {
    const { plater } = setup({ maxChannelsPerConnection: 2 })
    const kds = plater.open({ scope: 'kds', stationId: STATION })
    const expo = plater.open({ scope: 'expo' })
    expect(() => plater.open({ scope: 'floor' })).toThrow(ChannelLimitError)
    try {
      plater.open({ scope: 'floor' })
    } catch (error) {
      expect(error).toMatchObject({ code: 'too_many_channels', limit: 2 })
    }
    const again = plater.open({ scope: 'expo' }) // a scope already held costs no channel
    again.release()
    expo.release()
    const floor = plater.open({ scope: 'floor' }) // a released (idle) scope holds none
    expect(floor.status).toBe('loading')
    kds.release()
    floor.release()
  })

  it('maps each scope to its topic for the signed-in staff member', async () => {
    const { plater, link } = setup()
    const handles = [
      plater.open({ scope: 'expo' }),
      plater.open({ scope: 'floor' }),
      plater.open({ scope: 'server' }),
    ]
    await settle()
    expect(link.joins.sort()).toEqual([EXPO, FLOOR, 'server:r1:u-cook'].sort())
    for (const h of handles) h.release()
  })

  it('catches up after every rejoin (a reconnect) and counts it', async () => {
    const { plater, link, backend } = setup()
    const kds = plater.open({ scope: 'kds', stationId: STATION })
    await kds.ready()
    await settle()
    const before = backend.count('catch-up')
    const topic = backend.topic(KDS)
    link.drop()
    topic.publish('item', 'x', { order_id: 'o', status: 'pending', name: 'Fries', qty: 1, course: 1 }) // missed
    expect(kds.status).toBe('catching_up')
    link.status(KDS, 'joined')
    await settle()
    expect(backend.count('catch-up')).toBe(before + 1)
    expect(kds.getView().tickets.map((t) => t.items.map((i) => i.id))).toEqual([['x']])
    expect(kds.status).toBe('live')
    expect(plater.health.get().reconnects).toBe(1)
  })

  it('stops a scope the server refuses to let the caller join, with a typed error', async () => {
    const { plater, link, backend } = setup()
    link.autoJoin = false
    const release = backend.hold((call) => call.path.startsWith('snapshot'))
    const expo = plater.open({ scope: 'expo' })
    await settle()
    link.status(
      EXPO,
      'refused',
      'Unauthorized: You do not have permissions to read from this Channel topic: expo:r1',
    )
    release()
    await expect(expo.ready()).rejects.toMatchObject({ code: 'forbidden', status: 403 })
    expect(expo.status).toBe('error')
    expect(expo.error).toMatchObject({ name: 'ScopeAccessError' })
  })

  it('coalesces a burst of deltas into few notifications and keeps the view current in between', async () => {
    const { plater, link, backend, clock } = setup()
    const kds = plater.open({ scope: 'kds', stationId: STATION })
    await kds.ready()
    await clock.advance(100)
    const batches: number[] = []
    kds.subscribe((batch) => batches.push(batch.changes.length))
    const topic = backend.topic(KDS)
    for (let i = 0; i < 20; i++) {
      link.send(
        KDS,
        topic.publish('item', `i${i}`, {
          order_id: 'o',
          status: 'pending',
          name: 'Fries',
          qty: 1,
          course: 1,
        }),
      )
    }
    expect(kds.getView().tickets[0]!.items).toHaveLength(20) // reads never wait for a notification
    await clock.advance(1000)
    expect(batches).toEqual([1, 19])
    const view = kds.getView()
    expect(kds.getView()).toBe(view) // the same object until something changes (useSyncExternalStore)
  })
})

describe('polling fallback', () => {
  it('polls while the channel is down, says so in health, and hands back to the socket', async () => {
    const { plater, link, backend, clock } = setup({ pollAfterMs: 5000, pollIntervalMs: 2000 })
    const kds = plater.open({ scope: 'kds', stationId: STATION })
    await kds.ready()
    await settle()
    expect(plater.health.get().status).toBe('live')
    const topic = backend.topic(KDS)
    link.drop()
    await clock.advance(4999)
    expect(plater.health.get().status).toBe('catching_up')
    const beforePolling = backend.count('catch-up')
    await clock.advance(1)
    expect(plater.health.get().status).toBe('polling')
    topic.publish('item', 'p1', { order_id: 'o', status: 'pending', name: 'Fries', qty: 1, course: 1 })
    await clock.advance(2000)
    expect(kds.getView().tickets[0]!.items.map((i) => i.id)).toEqual(['p1']) // arrived by polling
    await clock.advance(6000)
    expect(backend.count('catch-up') - beforePolling).toBeGreaterThanOrEqual(4)
    backend.offline = true
    await clock.advance(3000)
    expect(plater.health.get().status).toBe('offline')
    backend.offline = false
    link.status(KDS, 'joined')
    await settle()
    expect(plater.health.get().status).toBe('live')
    const afterHandBack = backend.count('catch-up')
    await clock.advance(20_000)
    expect(backend.count('catch-up')).toBe(afterHandBack) // polling stopped
  })
})
