import { beforeEach, describe, expect, it } from 'vitest'
import { type ClientMessage, signAccessToken } from '../../stack/testing/index.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { ownGateway } from './helpers/own-gateway.ts'
import type { RawSocket } from './helpers/raw-socket.ts'
import { SEED, testStack } from './helpers/stack.ts'

// Client broadcasts per second (Realtime's TENANT_MAX_EVENTS_PER_SECOND, averaged over 5 s): per socket (REST:
// per caller) and per restaurant. A gateway of our own with tiny limits, on a clock only the tests move.

const clock = new ManualClock()
const server = ownGateway(
  {
    maxEventsPerSocket: 2, // 10 per five-second window
    maxEventsPerSecond: 4, // 20 per restaurant
    slotName: 'plater_realtime_broadcast_limits_test',
  },
  { clock },
)

beforeEach(() => clock.advance(10_000))

const TOO_MANY = 'Too many messages per second'

let refs = 0

/** Joins `topic` and returns its join ref; with a user, privately and with that user's token. */
async function join(
  socket: RawSocket,
  topic: string,
  options: { user?: { id: string; email: string }; ack?: boolean } = {},
): Promise<string> {
  const ref = `j${++refs}`
  const accessToken = options.user
    ? await signAccessToken(testStack().jwtSecret, options.user, new Date(clock.now()))
    : undefined
  socket.push(ref, ref, `realtime:${topic}`, 'phx_join', {
    config: { private: options.user !== undefined, broadcast: { ack: options.ack ?? false } },
    access_token: accessToken,
  })
  expect((await socket.reply(ref)).payload.status).toBe('ok')
  return ref
}

/** Sends a broadcast; returns its ref (acked channels reply to it). */
function send(socket: RawSocket, joinRef: string, topic: string, n: number | string): string {
  const ref = `b${++refs}`
  socket.push(joinRef, ref, `realtime:${topic}`, 'broadcast', {
    type: 'broadcast',
    event: 'n',
    payload: { n },
  })
  return ref
}

const broadcastsOn = (socket: RawSocket, topic: string) =>
  socket.received
    .filter((m) => m.event === 'broadcast' && m.topic === `realtime:${topic}`)
    .map((m) => m.payload.payload.n as number | string)

function restBroadcast(body: unknown): Promise<Response> {
  return fetch(`${server.url}/realtime/v1/api/broadcast`, {
    method: 'POST',
    headers: { apikey: testStack().anonKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

describe('per socket', () => {
  it("ends the flooding socket's channel with Realtime's system message, and nothing else", async () => {
    const flooder = await server.open()
    const listener = await server.open()
    const flooded = await join(flooder, 'gw-rate')
    await join(flooder, 'gw-rate-other')
    await join(listener, 'gw-rate')

    for (let n = 0; n < 11; n++) send(flooder, flooded, 'gw-rate', n)
    const system = await flooder.next((m) => m.event === 'system' && m.topic === 'realtime:gw-rate')
    expect(system.payload).toEqual({
      extension: 'system',
      status: 'error',
      message: TOO_MANY,
      channel: 'gw-rate',
    })
    await flooder.next((m) => m.event === 'phx_close' && m.topic === 'realtime:gw-rate')
    expect(server.gateway.snapshot().rateLimitedBroadcasts.socket).toBeGreaterThan(0)

    // A sentinel after the flood: the listener has the ten that fit and not the eleventh; the flooder's other
    // channel still receives.
    const res = await restBroadcast({
      messages: [
        { topic: 'gw-rate', event: 'n', payload: { n: 'sentinel' } },
        { topic: 'gw-rate-other', event: 'n', payload: { n: 'sentinel' } },
      ],
    })
    expect(res.status).toBe(202)
    await listener.next((m) => m.event === 'broadcast' && m.payload.payload.n === 'sentinel')
    expect(broadcastsOn(listener, 'gw-rate')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 'sentinel'])
    await flooder.next((m) => m.event === 'broadcast' && m.topic === 'realtime:gw-rate-other')
  })
})

describe('per restaurant', () => {
  it('refuses the message past the restaurant budget to its sender alone, keeps its channel, and spares other restaurants', async () => {
    const crew = `crew:${SEED.bistro}`
    const staff = [SEED.users.manager, SEED.users.expo, SEED.users.grill]
    const members = await Promise.all(staff.map(() => server.open()))
    const joinRefs = await Promise.all(
      members.map((socket, i) => join(socket, crew, { user: staff[i], ack: true })),
    )

    // Seven each from three sockets: within each socket's budget (10), and the twenty-first is one too many for
    // the restaurant (20).
    const replies: ClientMessage[] = []
    for (let round = 0; round < 7; round++) {
      for (const [i, socket] of members.entries()) {
        replies.push(await socket.reply(send(socket, joinRefs[i]!, crew, round * 3 + i)))
      }
    }
    expect(replies.slice(0, 20).every((r) => r.payload.status === 'ok')).toBe(true)
    expect(replies[20]!.payload).toEqual({ status: 'error', response: { error: TOO_MANY } })
    const sender = members[2]!
    const warning = await sender.next((m) => m.event === 'system')
    expect(warning.payload).toMatchObject({ status: 'error', message: TOO_MANY, channel: crew })
    expect(server.gateway.snapshot().rateLimitedBroadcasts.tenant).toBeGreaterThan(0)

    // Other Diner's crew is another budget.
    const diner = await server.open()
    const dinerJoin = await join(diner, `crew:${SEED.diner}`, { user: SEED.users.dinerManager, ack: true })
    expect((await diner.reply(send(diner, dinerJoin, `crew:${SEED.diner}`, 'diner'))).payload.status).toBe(
      'ok',
    )

    // The refused sender's channel stayed: once the window has moved on, it sends again.
    clock.advance(5_000)
    expect((await sender.reply(send(sender, joinRefs[2]!, crew, 'again'))).payload.status).toBe('ok')
    expect(sender.received.some((m) => m.event === 'phx_close')).toBe(false)
  })
})

describe('REST', () => {
  it("answers past the caller's budget with Realtime's 429 and a Retry-After, and sends nothing of that request", async () => {
    const listener = await server.open()
    await join(listener, 'gw-rest-rate')
    const one = (n: number | string) =>
      restBroadcast({ messages: [{ topic: 'gw-rest-rate', event: 'n', payload: { n } }] })
    for (let n = 0; n < 8; n++) expect((await one(n)).status).toBe(202)

    const batch = await restBroadcast({
      messages: [8, 9, 10].map((n) => ({ topic: 'gw-rest-rate', event: 'n', payload: { n } })),
    })
    expect(batch.status).toBe(429)
    expect(batch.headers.get('retry-after')).toBe('1')
    expect(await batch.json()).toEqual({ message: 'You have exceeded your rate limit' })

    clock.advance(5_000)
    expect((await one('sentinel')).status).toBe(202)
    await listener.next((m) => m.event === 'broadcast' && m.payload.payload.n === 'sentinel')
    expect(broadcastsOn(listener, 'gw-rest-rate')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 'sentinel'])
  })
})
