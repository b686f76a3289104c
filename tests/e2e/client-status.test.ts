// The network dies silently between the grill's client and the stack (the test's TCP proxy stops forwarding and
// keeps every socket open, as black-holed packets do): the client must read `offline` within its heartbeat
// timeout (+ slack for a shared machine), not claim `live` while it misses tickets, and read `live` again only
// once the ticket made meanwhile is on its screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_MENU } from '../helpers/seed.ts'
import { STATIONS } from './functions-helpers.ts'
import { type Scene, scene, waitUntil } from './client-helpers.ts'

const HEARTBEAT_INTERVAL_MS = 2_000
const HEARTBEAT_TIMEOUT_MS = 3_000
/** What the README promises (heartbeat timeout + 2 s), plus room for a contended machine. */
const OFFLINE_BOUND_MS = HEARTBEAT_TIMEOUT_MS + 2_000 + 3_000

let s: Scene
beforeAll(async () => {
  s = await scene({
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    // no polling to blur the picture: the socket and the status machine alone
    pollAfterMs: 600_000,
    reconnect: { baseMs: 200, maxMs: 1_000 },
    retry: { baseMs: 100, maxMs: 1_000 },
  })
})
afterAll(async () => {
  s?.proxy.resume()
  await s?.close()
})

describe('a network that dies silently', () => {
  it('reads offline within the heartbeat timeout, and live again only with what was missed on screen', {
    timeout: 90_000,
  }, async () => {
    const { proxy, cook } = s
    const { tableId } = await s.order([SEED_MENU.fries])
    const kds = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill })
    await kds.ready()
    await waitUntil(() => cook.plater.health.get().status === 'live', 'the client live')
    const itemIds = () => new Set(kds.getView().tickets.flatMap((t) => t.items.map((i) => i.id)))
    let missed: string | null = null
    let liveWithout: boolean | null = null
    let cutAt = 0
    let resumedAt = 0
    let offlineAt = 0
    let liveAt = 0
    const unsubscribe = cook.plater.health.subscribe((health) => {
      if (cutAt && !offlineAt && health.status === 'offline') offlineAt = Date.now()
      if (resumedAt && !liveAt && health.status === 'live') {
        liveAt = Date.now()
        liveWithout = missed !== null && !itemIds().has(missed)
      }
    })

    proxy.stall()
    cutAt = Date.now()
    const placed = await s.server.plater.mutations.placeOrder({
      tableId,
      items: [{ menuItemId: SEED_MENU.burger, qty: 1 }],
    })
    missed = (placed.items as { id: string }[])[0]!.id
    await waitUntil(() => offlineAt, 'the client to read offline', 30_000)
    expect(kds.status).toBe('offline')
    expect(itemIds().has(missed)).toBe(false) // nothing came through: the pill was right to say so
    expect(offlineAt - cutAt).toBeLessThan(OFFLINE_BOUND_MS)

    proxy.resume()
    resumedAt = Date.now()
    await waitUntil(() => liveAt, 'the client live again', 30_000)
    expect(liveWithout).toBe(false) // never live while the ticket made during the cut was missing
    expect(itemIds().has(missed)).toBe(true)
    console.info(
      `[client-status] offline after ${offlineAt - cutAt} ms, live again after ${liveAt - resumedAt} ms`,
    )
    unsubscribe()
    kds.release()
  })
})
