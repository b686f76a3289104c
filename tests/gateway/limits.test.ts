import { beforeEach, describe, expect, it } from 'vitest'
import { type ClientMessage, signAccessToken } from '../../stack/testing/index.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { ownGateway } from './helpers/own-gateway.ts'
import type { RawSocket } from './helpers/raw-socket.ts'
import { SEED, testStack } from './helpers/stack.ts'

// The join limits: channels per socket, and joins per socket, per caller (JWT sub, else remote address) and per
// tenant (the restaurant of an authorized private topic; else a shared pool, anonymous or signed in), with
// Realtime's texts. Gateways of our own with tiny limits and a clock that moves only when a test moves it: every
// test starts a fresh window, so none depends on another or on timing.

const BACKOFF_MS = 5000
const clock = new ManualClock()
const server = ownGateway(
  {
    maxChannelsPerClient: 3,
    maxJoinsPerSocket: 2, // 10 per five-second window
    maxJoinsPerCaller: 3, // 15
    maxJoinsPerSecond: 4, // 20 per pool
    joinErrorBackoffMs: BACKOFF_MS,
    slotName: 'plater_realtime_limits_test',
  },
  { clock },
)

beforeEach(() => clock.advance(10_000))

/** A socket with the anon key; from another 127.x address it is another anonymous caller. */
const open = (localAddress?: string) => server.open({ localAddress })

const staffToken = (user: { id: string; email: string }) =>
  signAccessToken(testStack().jwtSecret, user, new Date(clock.now()))

let refs = 0

/** Join and wait for the reply; with `leave`, send phx_leave right behind the join, as a flooder does. */
function join(
  socket: RawSocket,
  topic: string,
  options: { accessToken?: string; private?: boolean; leave?: boolean } = {},
): Promise<ClientMessage> {
  const ref = String(++refs)
  const payload = { config: { private: options.private ?? false }, access_token: options.accessToken }
  socket.push(ref, ref, `realtime:${topic}`, 'phx_join', payload)
  if (options.leave) socket.push(ref, `${ref}-leave`, `realtime:${topic}`, 'phx_leave', {})
  return socket.reply(ref)
}

/** Join and leave `count` times on one socket, each answered ok; the caller's budget goes down by `count`. */
async function spend(
  socket: RawSocket,
  count: number,
  options: { accessToken?: string; private?: boolean; topic?: string } = {},
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const reply = await join(socket, options.topic ?? `spend-${refs}`, options)
    expect(reply.payload.status).toBe('ok')
    socket.push(reply.join_ref ?? null, `${reply.ref}-leave`, reply.topic, 'phx_leave', {})
    await socket.reply(`${reply.ref}-leave`)
  }
}

const RATE_LIMITED = {
  status: 'error',
  response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' },
}

describe('channels per socket', () => {
  it('refuses a fourth channel with ChannelRateLimitReached after the join error backoff, and leaving frees it', async () => {
    const socket = await open()
    for (const topic of ['a', 'b', 'c']) expect((await join(socket, topic)).payload.status).toBe('ok')
    const ref = String(++refs)
    socket.push(ref, ref, 'realtime:d', 'phx_join', { config: { private: false } })
    // Answered only once the backoff has passed on the gateway's clock (not the test's wall clock).
    let reply: ClientMessage | undefined
    while (!reply) {
      clock.advance(BACKOFF_MS)
      reply = await socket.next((m) => m.ref === ref, 50).catch(() => undefined)
    }
    expect(reply.payload).toEqual({
      status: 'error',
      response: { reason: 'ChannelRateLimitReached: Too many channels' },
    })

    socket.push('1', 'leave-a', 'realtime:a', 'phx_leave', {})
    await socket.reply('leave-a')
    expect((await join(socket, 'd')).payload.status).toBe('ok')
  })
})

/** A heartbeat answered: the socket is open and has handled every frame sent before it. */
async function alive(socket: RawSocket): Promise<void> {
  const ref = `alive-${++refs}`
  socket.push(null, ref, 'phoenix', 'heartbeat', {})
  expect((await socket.reply(ref)).payload).toEqual({ status: 'ok', response: {} })
}

describe('joins per socket', () => {
  it('refuses the flooding socket at once even when it left right away, and leaves the socket open', async () => {
    const socket = await open()
    await spend(socket, 10)
    // The eleventh join, with its leave right behind it: the refusal is not held back by the 5 s backoff
    // (which the flooder would leave and rejoin within), so it reaches the socket.
    expect((await join(socket, 'flood', { leave: true })).payload).toEqual(RATE_LIMITED)
    await alive(socket)
    expect((await server.gateway.snapshot()).rateLimitedJoins.socket).toBeGreaterThan(0)
  })
})

describe('joins per caller', () => {
  it('counts every socket of one anonymous address together, until the window moves on', async () => {
    const first = await open('127.0.0.2')
    await spend(first, 8)
    const second = await open('127.0.0.2')
    await spend(second, 7)
    expect(await join(second, 'one-too-many')).toMatchObject({ payload: RATE_LIMITED })
    await alive(second)

    // Another address, and the same address a window later, join again.
    expect((await join(await open('127.0.0.3'), 'elsewhere')).payload.status).toBe('ok')
    clock.advance(5_000)
    expect((await join(await open('127.0.0.2'), 'later')).payload.status).toBe('ok')
  })

  it('counts a staff member by JWT sub across sockets, and not against anyone else', async () => {
    const ana = await staffToken(SEED.users.ana)
    await spend(await open('127.0.0.4'), 8, { accessToken: ana })
    const second = await open('127.0.0.5')
    await spend(second, 7, { accessToken: ana })
    expect(await join(second, 'ana-again', { accessToken: ana })).toMatchObject({ payload: RATE_LIMITED })

    const gus = await staffToken(SEED.users.grill)
    expect((await join(await open('127.0.0.4'), 'gus', { accessToken: gus })).payload.status).toBe('ok')
  })
})

describe('shared pools', () => {
  it('lets staff join while anonymous callers have spent the whole anonymous pool', async () => {
    // Two anonymous addresses spend the anonymous pool (20): 15 + 5.
    const a = await open('127.0.0.6')
    await spend(a, 8)
    await spend(await open('127.0.0.6'), 7)
    await spend(await open('127.0.0.7'), 5)
    const latecomer = await open('127.0.0.8')
    expect(await join(latecomer, 'anon-refused')).toMatchObject({ payload: RATE_LIMITED })
    expect((await server.gateway.snapshot()).rateLimitedJoins.tenant).toBeGreaterThan(0)

    // Staff sign in from the same address as a flooder, on a private topic (RLS read through Postgres).
    const staff = await open('127.0.0.6')
    const token = await staffToken(SEED.users.ana)
    const topic = `server:${SEED.bistro}:${SEED.users.ana.id}`
    expect((await join(staff, topic, { accessToken: token, private: true })).payload.status).toBe('ok')
    expect((await join(staff, 'floor', { accessToken: token })).payload.status).toBe('ok')
  })
})

describe('restaurants', () => {
  // A gateway whose callers and sockets may make more joins than a restaurant (20 per window), so a restaurant's
  // budget is what runs out; refusals are answered at once, so the window does not move while a test waits.
  const tenants = ownGateway(
    {
      maxJoinsPerSocket: 10, // 50 per window
      maxJoinsPerCaller: 6, // 30
      maxJoinsPerSecond: 4, // 20 per restaurant and per shared pool
      joinErrorBackoffMs: 0,
      slotName: 'plater_realtime_tenants_test',
    },
    { clock },
  )

  const bistroAdmin = `admin:${SEED.bistro}`

  it("lets Demo Bistro's manager join however many joins Other Diner's staff make, allowed or not", async () => {
    const dinerManager = await staffToken(SEED.users.dinerManager)
    const dinerCook = await staffToken(SEED.users.dinerGrill)
    // Twenty joins of public topics (any name, the Bistro's included) and ten of the Bistro's private topics,
    // which RLS refuses: on one signed-in budget for every restaurant, counted before authorization, these
    // thirty joins spent the Demo Bistro's too.
    await spend(await tenants.open(), 20, { accessToken: dinerManager, topic: `floor:${SEED.bistro}` })
    const prying = await tenants.open()
    for (let i = 0; i < 10; i++) {
      const reply = await join(prying, bistroAdmin, { accessToken: dinerCook, private: true })
      expect(reply.payload).toEqual({
        status: 'error',
        response: {
          reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${bistroAdmin}`,
        },
      })
    }

    const manager = await tenants.open()
    const token = await staffToken(SEED.users.manager)
    expect((await join(manager, bistroAdmin, { accessToken: token, private: true })).payload.status).toBe(
      'ok',
    )
  })

  it('refuses a restaurant that has spent its own budget, and only that restaurant', async () => {
    const dinerManager = await staffToken(SEED.users.dinerManager)
    const diner = await tenants.open()
    await spend(diner, 20, { accessToken: dinerManager, private: true, topic: `floor:${SEED.diner}` })
    const refused = await join(await tenants.open(), `expo:${SEED.diner}`, {
      accessToken: dinerManager,
      private: true,
    })
    expect(refused.payload).toEqual(RATE_LIMITED)
    expect(tenants.gateway.snapshot().rateLimitedJoins.tenant).toBeGreaterThan(0)

    const manager = await tenants.open()
    const token = await staffToken(SEED.users.manager)
    expect(
      (await join(manager, `floor:${SEED.bistro}`, { accessToken: token, private: true })).payload.status,
    ).toBe('ok')
  })

  it("answers a refused join alone: the console's socket and its admin channel stay", async () => {
    const token = await staffToken(SEED.users.manager)
    const screen = await tenants.open()
    expect((await join(screen, bistroAdmin, { accessToken: token, private: true })).payload.status).toBe('ok')
    // The restaurant's budget (20 per window) runs out: the next scope the console opens is refused.
    await spend(screen, 19, { accessToken: token, private: true, topic: `floor:${SEED.bistro}` })
    expect((await join(screen, `expo:${SEED.bistro}`, { accessToken: token, private: true })).payload)
      .toEqual(RATE_LIMITED)

    // The admin channel still receives: a broadcast sent after the refusal arrives.
    const res = await fetch(`${tenants.url}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: testStack().serviceRoleKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [{ topic: bistroAdmin, event: 'sentinel', payload: { n: 1 }, private: true }],
      }),
    })
    expect(res.status).toBe(202)
    const sentinel = await screen.next((m) => m.event === 'broadcast' && m.payload.event === 'sentinel')
    expect(sentinel.topic).toBe(`realtime:${bistroAdmin}`)
  })
})
