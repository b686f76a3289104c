import type { RealtimePresenceState } from '@supabase/supabase-js'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Client,
  joined,
  openDb,
  realtimeClient,
  SEED,
  testStack,
  tokenFor,
  waitFor,
} from './helpers/stack.ts'

// Client-originated traffic on the one topic where staff may write (crew:{restaurant}), and the silent
// drop Supabase applies where RLS denies the write.

const crew = `crew:${SEED.bistro}`
const kdsGrill = `kds:${SEED.bistro}:${SEED.stations.bistroGrill}`

let sql: Sql
const clients: Client[] = []

async function staffClient(user: { id: string; email: string }, vsn: '1.0.0' | '2.0.0' = '2.0.0') {
  const c = await realtimeClient(await tokenFor(user), vsn)
  clients.push(c)
  return c
}

beforeAll(() => {
  sql = openDb()
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await sql.end()
})

describe('presence', () => {
  it('syncs two clients, with joins and leaves, across both serializers', async () => {
    const ana = await staffClient(SEED.users.ana)
    const eli = await staffClient(SEED.users.expo, '1.0.0')
    const anaChannel = ana.sb.channel(crew, { config: { private: true, presence: { key: 'ana' } } })
    const eliChannel = eli.sb.channel(crew, { config: { private: true, presence: { key: 'eli' } } })
    const leaves: string[] = []
    anaChannel.on('presence', { event: 'sync' }, () => {})
    anaChannel.on('presence', { event: 'leave' }, ({ key }) => leaves.push(key))
    eliChannel.on('presence', { event: 'sync' }, () => {})
    await joined(anaChannel)
    await joined(eliChannel)

    expect(await anaChannel.track({ station: 'floor' })).toBe('ok')
    expect(await eliChannel.track({ station: 'pass' })).toBe('ok')

    const keys = (state: RealtimePresenceState) => Object.keys(state).sort()
    await waitFor(() => keys(anaChannel.presenceState()).join() === 'ana,eli', 10_000, 'ana to see both')
    await waitFor(() => keys(eliChannel.presenceState()).join() === 'ana,eli', 10_000, 'eli to see both')
    expect(anaChannel.presenceState().eli).toEqual([{ station: 'pass', presence_ref: expect.any(String) }])

    expect(await eliChannel.untrack()).toBe('ok')
    await waitFor(() => leaves.includes('eli'), 10_000, 'the leave')
    await waitFor(() => keys(anaChannel.presenceState()).join() === 'ana', 10_000, 'eli to be gone')
  })

  it('lets staff track on a station topic they read (the policies allow presence wherever read is allowed)', async () => {
    const eli = await staffClient(SEED.users.expo)
    const channel = await joined(eli.sb.channel(kdsGrill, { config: { private: true } }))
    expect(await channel.track({ here: true })).toBe('ok')
  })
})

describe('client broadcast', () => {
  it('reaches the other staff, acks the sender, and echoes to itself only with self', async () => {
    const ana = await staffClient(SEED.users.ana)
    const gus = await staffClient(SEED.users.grill, '1.0.0')
    const anaGot: unknown[] = []
    const gusGot: unknown[] = []
    const anaChannel = await joined(
      ana.sb
        .channel(crew, { config: { private: true, broadcast: { ack: true, self: true } } })
        .on('broadcast', { event: 'notice' }, (m) => anaGot.push(m)),
    )
    await joined(
      gus.sb.channel(crew, { config: { private: true } }).on(
        'broadcast',
        { event: 'notice' },
        (m) => gusGot.push(m),
      ),
    )

    expect(await anaChannel.send({ type: 'broadcast', event: 'notice', payload: { text: '86 the salmon' } }))
      .toBe(
        'ok',
      )
    await waitFor(() => gusGot.length === 1 && anaGot.length === 1, 10_000, 'both copies')
    expect(gusGot[0]).toEqual({ type: 'broadcast', event: 'notice', payload: { text: '86 the salmon' } })
  })

  it('drops a broadcast RLS does not allow, silently even with ack (the send times out)', async () => {
    const gus = await staffClient(SEED.users.grill)
    const eli = await staffClient(SEED.users.expo)
    const eliGot: unknown[] = []
    const gusChannel = await joined(
      gus.sb.channel(kdsGrill, { config: { private: true, broadcast: { ack: true } } }),
    )
    await joined(
      eli.sb.channel(kdsGrill, { config: { private: true } }).on(
        'broadcast',
        { event: '*' },
        (m) => eliGot.push(m),
      ),
    )
    const before = await metrics()
    // No answer ever comes for a denied write, so the client's own ack timeout is what ends the send.
    const result = await gusChannel.send({ type: 'broadcast', event: 'fake', payload: {} }, { timeout: 1500 })
    expect(result).toBe('timed out')
    await sentinel(kdsGrill, () => eliGot)
    expect(eliGot).toEqual([SENTINEL])
    expect((await metrics()).drops.unauthorizedWrites).toBeGreaterThan(before.drops.unauthorizedWrites)
  })
})

describe('REST broadcast', () => {
  it('httpSend delivers to a private topic the caller may write (202)', async () => {
    const ana = await staffClient(SEED.users.ana)
    const gus = await staffClient(SEED.users.grill)
    const got: unknown[] = []
    const anaChannel = ana.sb.channel(crew, { config: { private: true } })
    await joined(
      gus.sb.channel(crew, { config: { private: true } }).on(
        'broadcast',
        { event: 'http' },
        (m) => got.push(m),
      ),
    )
    await expect(anaChannel.httpSend('http', { via: 'rest' })).resolves.toEqual({ success: true })
    await waitFor(() => got.length === 1, 10_000, 'the REST broadcast')
    expect(got[0]).toEqual({ type: 'broadcast', event: 'http', payload: { via: 'rest' } })
  })

  it('answers 202 but delivers nothing where the caller may not write', async () => {
    const gus = await staffClient(SEED.users.grill)
    const eli = await staffClient(SEED.users.expo)
    const got: unknown[] = []
    await joined(
      eli.sb.channel(kdsGrill, { config: { private: true } }).on(
        'broadcast',
        { event: '*' },
        (m) => got.push(m),
      ),
    )
    await expect(gus.sb.channel(kdsGrill, { config: { private: true } }).httpSend('x', {})).resolves.toEqual({
      success: true,
    })
    await sentinel(kdsGrill, () => got)
    expect(got).toEqual([SENTINEL])
  })

  it('the batch endpoint publishes to public channels, with meta.id when given', async () => {
    const anon = await realtimeClient(null)
    clients.push(anon)
    const got: unknown[] = []
    await joined(anon.sb.channel('gw-lobby').on('broadcast', { event: '*' }, (m) => got.push(m)))
    const { apiUrl, anonKey } = testStack()
    const res = await fetch(`${apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [{ topic: 'gw-lobby', event: 'hello', payload: { n: 1 }, id: 'm-1' }],
      }),
    })
    expect(res.status).toBe(202)
    await waitFor(() => got.length === 1, 10_000, 'the batch message')
    expect(got[0]).toEqual({ type: 'broadcast', event: 'hello', payload: { n: 1 }, meta: { id: 'm-1' } })
  })
})

const SENTINEL = { type: 'broadcast', event: 'sentinel', payload: {} }

/**
 * A REST broadcast with the service key (which RLS lets write anywhere) to `topic`, awaited at the receiver.
 * The gateway has fanned out or dropped a REST or client broadcast before it answers it, and each socket gets
 * its frames in order: whatever a refused broadcast would have delivered would be in `received()` before this.
 */
async function sentinel(topic: string, received: () => unknown[]): Promise<void> {
  const { apiUrl, serviceRoleKey } = testStack()
  const res = await fetch(`${apiUrl}/realtime/v1/api/broadcast/${topic}/events/sentinel?private=true`, {
    method: 'POST',
    headers: { apikey: serviceRoleKey, 'content-type': 'application/json' },
    body: '{}',
  })
  expect(res.status).toBe(202)
  await waitFor(
    () => received().some((m) => (m as { event?: string }).event === 'sentinel'),
    10_000,
    'the sentinel',
  )
}

async function metrics(): Promise<{ drops: { unauthorizedWrites: number } }> {
  const { apiUrl, secretKey } = testStack()
  return (await (await fetch(`${apiUrl}/realtime/v1/metrics`, { headers: { apikey: secretKey } }))
    .json()) as { drops: { unauthorizedWrites: number } }
}

describe('broadcast replay', () => {
  it('replays the newest database broadcasts of a private topic on join, oldest first, marked replayed', async () => {
    const event = `replay-${Date.now()}`
    for (const n of [1, 2, 3]) await sql`select realtime.send(${sql.json({ n })}, ${event}, ${crew}, true)`
    const ana = await staffClient(SEED.users.ana)
    const got: { payload: { n: number }; meta?: { replayed?: boolean } }[] = []
    await joined(
      ana.sb
        .channel(crew, {
          config: { private: true, broadcast: { replay: { since: Date.now() - 60_000, limit: 2 } } },
        })
        .on('broadcast', { event }, (m) => got.push(m as never)),
    )
    await waitFor(() => got.length === 2, 10_000, 'two replayed messages')
    expect(got.map((m) => m.payload.n)).toEqual([2, 3])
    expect(got.every((m) => m.meta?.replayed === true)).toBe(true)
  })
})
