// Crew input is untrusted: a staff member with two lines of plain supabase-js can track any presence meta and
// broadcast anything on the crew topic. Through the real stack, another client's crew view drops what fails its
// schema, counts it, and keeps serving the good entries.
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_PASSWORD } from '../helpers/seed.ts'
import { BISTRO, EMAILS, testStack } from './functions-helpers.ts'
import { type Staff, staffClient, waitUntil } from './client-helpers.ts'
import { buildTopic } from '../../contract/topics.ts'

let expo: Staff
let cook: Staff
const raw = createClient(testStack().apiUrl, testStack().anonKey, {
  auth: { persistSession: false, autoRefreshToken: false },
  realtime: { transport: WebSocket as never },
})
beforeAll(async () => {
  const { apiUrl, anonKey } = testStack()
  ;[expo, cook] = await Promise.all([
    staffClient(apiUrl, anonKey, EMAILS.expo),
    staffClient(apiUrl, anonKey, EMAILS.grill),
  ])
  const { error } = await raw.auth.signInWithPassword({ email: EMAILS.fry, password: SEED_PASSWORD })
  if (error) throw error
  await raw.realtime.setAuth()
})
afterAll(async () => {
  await raw.removeAllChannels()
  await Promise.all([expo?.plater.close(), cook?.plater.close()])
})

describe('the crew topic as untrusted input', () => {
  it('drops presence metas and broadcasts that fail their schema, counts them, and keeps the good ones', {
    timeout: 60_000,
  }, async () => {
    const watcher = expo.plater.open({ scope: 'crew' })
    await watcher.ready()
    const rogue = raw.channel(buildTopic({ kind: 'crew', restaurant: BISTRO }), {
      config: { private: true, presence: { key: 'rogue', enabled: true } },
    })
    await new Promise<void>((resolve, reject) =>
      rogue.subscribe((
        status,
        err,
      ) => (status === 'SUBSCRIBED' ? resolve() : status !== 'CLOSED' && reject(err ?? new Error(status))))
    )
    expect(await rogue.track({ role: 5, name: { a: 1 } })).toBe('ok')
    expect(await rogue.send({ type: 'broadcast', event: 'notice', payload: { text: { a: 1 } } })).toBe('ok')

    // sentinels after the bad entries: once they are on the watcher's screen, the bad ones would have been too
    const crew = cook.plater.open({ scope: 'crew' })
    await crew.ready()
    await crew.track({ screen: '/kds', status: 'live' })
    await crew.send('notice', { text: '86 ribeye' })
    await waitUntil(() => watcher.getView().members.some((m) => m.key === cook.userId), "the cook's presence")
    await waitUntil(
      () => watcher.getView().messages.some((m) => m.payload.text === '86 ribeye'),
      "the cook's notice",
    )

    const view = watcher.getView()
    expect(view.members.map((m) => m.key)).not.toContain('rogue')
    expect(view.members.find((m) => m.key === cook.userId)!.metas).toEqual([{
      screen: '/kds',
      status: 'live',
    }])
    expect(view.messages.every((m) => typeof m.payload.text === 'string')).toBe(true)
    expect(expo.plater.health.get().crewRejected).toBeGreaterThanOrEqual(2)
    crew.release()
    watcher.release()
  })
})
