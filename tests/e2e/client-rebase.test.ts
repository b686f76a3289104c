// A refused optimistic mutation is taken out of the view by rebasing (confirmed rows ⊕ the mutations still
// pending), not by restoring a saved snapshot: a remote change that arrived while it was in flight stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MutationError } from '../../client/src/index.ts'
import { SEED_MENU } from '../helpers/seed.ts'
import { STATIONS } from './functions-helpers.ts'
import { type Scene, scene, waitUntil } from './client-helpers.ts'

let s: Scene
beforeAll(async () => {
  s = await scene()
})
afterAll(async () => {
  await s?.close()
})

describe('a refused mutation', () => {
  it('rolls back only itself while a concurrent remote change stays', { timeout: 60_000 }, async () => {
    const { cook, expo, proxy } = s
    const [x, y] = (await s.order([SEED_MENU.burger, SEED_MENU.ribeye])).itemIds as [string, string]
    const kds = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill })
    await kds.ready()
    const shown = (id: string) => {
      const item = kds.getView().tickets.flatMap((t) => t.items).find((i) => i.id === id)
      return item && `${item.status}${item.pending ? '*' : ''}`
    }
    await waitUntil(() => shown(x) === 'pending' && shown(y) === 'pending', 'both items on the grill screen')

    // the cook finishes x; the request is held on its way (a slow network) …
    proxy.holdHttp()
    const finish = cook.plater.mutations.finishItem({ itemId: x })
    finish.catch(() => {})
    expect(shown(x)).toBe('ready*')
    await waitUntil(() => proxy.held > 0, 'the request to leave the client')
    // … while expo starts x and finishes y: both reach the cook's screen over the socket
    await expo.plater.mutations.startItem({ itemId: x })
    await expo.plater.mutations.finishItem({ itemId: y })
    await waitUntil(() => shown(y) === 'ready', "expo's change to y on the cook's screen")
    expect(shown(x)).toBe('ready*') // the cook's own change still shows over expo's

    proxy.releaseHttp()
    const refusal = await finish.then(() => null, (error: unknown) => error)
    expect(refusal).toBeInstanceOf(MutationError)
    expect(refusal).toMatchObject({ code: 'version_conflict', status: 409 })
    // rebased: x shows what the server holds (expo's start), not the state before the cook's tap; y keeps expo's change
    expect(shown(x)).toBe('preparing')
    expect(shown(y)).toBe('ready')
    expect(cook.plater.health.get().rollbacks).toBe(1)
    expect(cook.plater.mutations.pending()).toHaveLength(0)
    kds.release()
  })
})
