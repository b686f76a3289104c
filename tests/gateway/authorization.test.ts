import type { Sql } from 'postgres'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newStaff } from './helpers/domain.ts'
import { refusedUpgrade } from './helpers/raw-socket.ts'
import {
  type Client,
  joined,
  openDb,
  realtimeClient,
  SEED,
  subscribe,
  testStack,
  tokenFor,
  waitFor,
} from './helpers/stack.ts'

// Private channels are authorised by the project's RLS policies on realtime.messages, probed the way
// Supabase Realtime probes them, and the answers (and error texts) must be Supabase's.

const unauthorized = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`

let sql: Sql
const clients: Client[] = []

async function client(token: string | null, vsn: '1.0.0' | '2.0.0' = '2.0.0'): Promise<Client> {
  const c = await realtimeClient(token, vsn)
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

describe('joining private topics', () => {
  it("lets a server join their own topic but not another server's, with Supabase's reason", async () => {
    const ana = await client(await tokenFor(SEED.users.ana))
    const own = await subscribe(
      ana.sb.channel(`server:${SEED.bistro}:${SEED.users.ana.id}`, { config: { private: true } }),
    )
    expect(own.status).toBe('SUBSCRIBED')

    const bensTopic = `server:${SEED.bistro}:${SEED.users.ben.id}`
    const other = await subscribe(ana.sb.channel(bensTopic, { config: { private: true } }))
    expect(other.status).toBe('CHANNEL_ERROR')
    expect(other.status === 'CHANNEL_ERROR' && other.error.message).toBe(unauthorized(bensTopic))
  })

  it("refuses a cook of another restaurant on this restaurant's station topic", async () => {
    const dinerCook = await client(await tokenFor(SEED.users.dinerGrill), '1.0.0')
    const topic = `kds:${SEED.bistro}:${SEED.stations.bistroGrill}`
    const result = await subscribe(dinerCook.sb.channel(topic, { config: { private: true } }))
    expect(result.status === 'CHANNEL_ERROR' && result.error.message).toBe(unauthorized(topic))
  })

  it('refuses an anonymous client on a private topic', async () => {
    const anon = await client(null)
    const topic = `floor:${SEED.bistro}`
    const result = await subscribe(anon.sb.channel(topic, { config: { private: true } }))
    expect(result.status === 'CHANNEL_ERROR' && result.error.message).toBe(unauthorized(topic))
  })

  it('lets anyone with the anon key join a public channel', async () => {
    const anon = await client(null)
    expect((await subscribe(anon.sb.channel('lobby'))).status).toBe('SUBSCRIBED')
  })
})

describe('connecting with a bad token', () => {
  // An expired token's refusal is in token-expiry.test.ts, on a gateway clock the test controls.
  it('answers HTTP 401 JSON instead of upgrading: forged, missing, not a JWT', async () => {
    const forged = await new SignJWT({ role: 'service_role' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
      .sign(new TextEncoder().encode('not-the-project-secret'))
    const { apiUrl } = testStack()
    const [fake, none, garbage] = await Promise.all([
      refusedUpgrade(apiUrl, `apikey=${forged}&vsn=2.0.0`),
      refusedUpgrade(apiUrl, 'vsn=2.0.0'),
      refusedUpgrade(apiUrl, 'apikey=not-a-jwt&vsn=1.0.0'),
    ])
    expect(fake).toEqual({ status: 401, body: { error: 'Failed to validate JWT signature' } })
    expect(none).toEqual({ status: 401, body: { error: 'API key is missing' } })
    expect(garbage).toEqual({ status: 401, body: { error: 'The token provided is not a valid JWT' } })
  })
})

describe('access_token refresh', () => {
  it('keeps the channel when the new token still grants read', async () => {
    const ana = await client(await tokenFor(SEED.users.ana))
    const topic = `server:${SEED.bistro}:${SEED.users.ana.id}`
    const got: unknown[] = []
    const channel = await joined(
      ana.sb.channel(topic, { config: { private: true } }).on(
        'broadcast',
        { event: 'ping' },
        (m) => got.push(m),
      ),
    )
    ana.token = await tokenFor(SEED.users.ana)
    await ana.refresh()
    await sql`select realtime.send(${sql.json({ n: 1 })}, 'ping', ${topic}, true)`
    await waitFor(() => got.length === 1, 10_000, 'a message after the refresh')
    expect(channel.state).toBe('joined')
  })

  it('closes the channel with a system error when the staff row is deactivated', async () => {
    const staff = await newStaff(sql, 'server')
    const topic = `server:${SEED.bistro}:${staff.id}`
    const c = await client(await tokenFor(staff))
    const system: { status: string; message: string; extension: string }[] = []
    const statuses: string[] = []
    const channel = c.sb.channel(topic, { config: { private: true } }).on('system', {}, (m) => system.push(m))
    await new Promise<void>((resolve) =>
      channel.subscribe((status) => {
        statuses.push(status)
        if (status === 'SUBSCRIBED') resolve()
      })
    )

    await sql`update public.staff set active = false where user_id = ${staff.id}`
    c.token = await tokenFor(staff)
    await c.refresh()

    await waitFor(() => statuses.includes('CLOSED'), 10_000, 'the channel to close')
    expect(system).toEqual([
      {
        extension: 'system',
        status: 'error',
        message: `You no longer have permission to read from this Channel topic: ${topic}`,
        channel: topic,
      },
    ])
  })
})
