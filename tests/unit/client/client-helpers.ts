import { afterEach } from 'vitest'
import { buildTopic } from '../../../contract/topics.ts'
import { createPlaterClient, type Environment, type PlaterClient } from '../../../client/src/client.ts'
import type { PlaterClientOptions } from '../../../client/src/config.ts'
import { FakeBackend, FakeClock, FakeLink, ME, RESTAURANT, STATION, tokenFor } from './fakes.ts'

export const KDS = buildTopic({ kind: 'kds', restaurant: RESTAURANT, station: STATION })
export const EXPO = buildTopic({ kind: 'expo', restaurant: RESTAURANT })
export const FLOOR = buildTopic({ kind: 'floor', restaurant: RESTAURANT })
export const SERVER = buildTopic({ kind: 'server', restaurant: RESTAURANT, staff: ME })

export interface Rig {
  clock: FakeClock
  backend: FakeBackend
  link: FakeLink
  /** The page: dispatch `offline` / `online` on its window. */
  page: { window: EventTarget; document: EventTarget & { visibilityState: string } }
  plater: PlaterClient
}

/** A client over fakes: its own clock, socket and functions; options override the defaults. */
export function rig(
  options: Partial<PlaterClientOptions> = {},
  parts: Partial<Omit<Rig, 'plater'>> = {},
): Rig {
  const clock = parts.clock ?? new FakeClock()
  const backend = parts.backend ?? new FakeBackend()
  const link = parts.link ?? new FakeLink()
  const page = parts.page ??
    { window: new EventTarget(), document: Object.assign(new EventTarget(), { visibilityState: 'visible' }) }
  for (const topic of [KDS, EXPO, FLOOR, SERVER]) backend.topic(topic)
  const plater = createPlaterClient(
    {
      supabaseUrl: 'http://stack',
      anonKey: 'anon',
      accessToken: () => Promise.resolve(tokenFor(ME)),
      fetch: backend.fetch,
      storage: null,
      clock,
      random: () => 0.5,
      coalesceMs: 50,
      coalesceMaxWaitMs: 200,
      ...options,
    },
    { link, environment: page as Environment },
  )
  return { clock, backend, link, page, plater }
}

/** A `rig` maker for the tests of a file: every client it made is closed after each test. */
export function rigsClosedAfterEach(): (...args: Parameters<typeof rig>) => Rig {
  let rigs: Rig[] = []
  afterEach(async () => {
    for (const r of rigs) await r.plater.close()
    rigs = []
  })
  return (...args) => {
    const r = rig(...args)
    rigs.push(r)
    return r
  }
}
