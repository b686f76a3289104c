// The client's one status machine (client/src/status.ts) on a clock the tests advance: the browser's
// `offline`/`online` events, a socket that goes silent (no heartbeat answered), and requests that get no answer
// all read `offline` in health and in every scope alike; `live` comes back only once every scope has healed.
import { afterEach, describe, expect, it } from 'vitest'
import { KDS, type Rig, rig } from './client-helpers.ts'
import { settle, STATION } from './fakes.ts'

let current: Rig | null = null
afterEach(async () => {
  await current?.plater.close()
  current = null
})

const item = (id: string) => ({ order_id: 'o1', status: 'pending', name: id, qty: 1, course: 1, table: 'T1' })

async function liveKitchen(options: Parameters<typeof rig>[0] = {}) {
  current = rig(options)
  const kds = current.plater.open({ scope: 'kds', stationId: STATION })
  const expo = current.plater.open({ scope: 'expo' })
  await Promise.all([kds.ready(), expo.ready()])
  await settle()
  const ids = () => kds.getView().tickets.flatMap((t) => t.items.map((i) => i.id))
  return { ...current, kds, expo, ids, topic: current.backend.topic(KDS) }
}

describe('the status machine', () => {
  it("reads offline at once on the browser's offline event, everywhere, and live only after every scope healed", async () => {
    const { plater, page, kds, expo, ids, topic, backend } = await liveKitchen()
    expect(plater.health.get().status).toBe('live')
    const heard: string[] = []
    kds.subscribe(() => heard.push(kds.status))

    page.window.dispatchEvent(new Event('offline'))
    // synchronously: no timer, no request needed
    expect(plater.health.get().status).toBe('offline')
    expect([kds.status, expo.status]).toEqual(['offline', 'offline'])
    expect(plater.health.get().scopes.map((s) => s.status)).toEqual(['offline', 'offline'])

    topic.publish('item', 'missed', item('missed')) // made while this screen was offline
    const release = backend.hold((call) => call.path.startsWith(`catch-up?topic=${encodeURIComponent(KDS)}`))
    page.window.dispatchEvent(new Event('online'))
    await settle()
    // back online but the grill has not caught up yet: it must not claim to be live
    expect(kds.status).toBe('catching_up')
    expect(plater.health.get().status).toBe('catching_up')
    release()
    await settle()
    expect(ids()).toEqual(['missed'])
    expect([kds.status, expo.status, plater.health.get().status]).toEqual(['live', 'live', 'live'])
    await current!.clock.advance(1000)
    expect(heard).toContain('offline')
  })

  it('reads offline once the socket answered nothing for heartbeatTimeoutMs, asks for a new socket, and heals after', async () => {
    const { plater, link, clock, kds, ids, topic, backend } = await liveKitchen({
      heartbeatIntervalMs: 1000,
      heartbeatTimeoutMs: 3000,
      pollAfterMs: 2000,
      pollIntervalMs: 500,
      retry: { baseMs: 500, maxMs: 500 },
    })
    // a healthy socket answers every heartbeat: never offline
    for (let i = 0; i < 30; i++) {
      link.alive()
      await clock.advance(1000)
    }
    expect(plater.health.get().status).toBe('live')
    expect(link.reconnects).toBe(0)

    link.alive() // the last answer; then the network dies without a word (requests too)
    backend.offline = true
    await clock.advance(2999)
    expect(plater.health.get().status).toBe('live')
    await clock.advance(1)
    expect(plater.health.get().status).toBe('offline')
    expect(kds.status).toBe('offline')
    expect(link.reconnects).toBe(1)
    await clock.advance(5000)
    expect(plater.health.get().status).toBe('offline') // the catch-ups sent to find the way back get no answer

    topic.publish('item', 'late', item('late'))
    backend.offline = false
    link.drop() // the torn-down socket's channels
    link.alive() // the new socket answers
    await clock.advance(1000) // and so does the next catch-up try
    expect(plater.health.get().status).toBe('catching_up') // not joined yet
    link.status(KDS, 'joined')
    link.status('expo:r1', 'joined')
    await settle()
    expect(ids()).toEqual(['late'])
    expect(plater.health.get().status).toBe('live')

    // a socket that closed (not silent) is the channels' business: they poll, the watchdog does not flap offline
    link.open = false
    link.drop()
    await clock.advance(20_000)
    expect(plater.health.get().status).toBe('polling')
    expect(link.reconnects).toBe(1)
  })

  it('reads offline when requests get no answer while a feed is open, and live when they do again', async () => {
    const { plater, link, clock, backend, kds } = await liveKitchen({ retry: { baseMs: 1000, maxMs: 1000 } })
    backend.offline = true
    link.drop()
    link.status(KDS, 'joined') // a rejoin catches up over HTTP: no answer
    link.status('expo:r1', 'joined')
    await settle()
    expect(plater.health.get().status).toBe('offline')
    expect(kds.status).toBe('offline')
    backend.offline = false
    await clock.advance(1000) // the retry engine tries again
    expect(plater.health.get().status).toBe('live')
  })

  it("reads offline when one of the app's own requests gets no answer, and finds the way back by itself", async () => {
    const { plater, clock, backend } = await liveKitchen({ retry: { baseMs: 1000, maxMs: 1000 } })
    backend.offline = true
    await expect(plater.menu()).rejects.toMatchObject({ code: 'network_error' })
    await settle()
    expect(plater.health.get().status).toBe('offline')
    backend.offline = false
    await clock.advance(1000) // no other request was due: the client sends one itself
    expect(plater.health.get().status).toBe('live')
  })

  it('rejects a heartbeat timeout that does not exceed the heartbeat interval', () => {
    expect(() => rig({ heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 5000 })).toThrow(/heartbeatTimeoutMs/)
  })
})
