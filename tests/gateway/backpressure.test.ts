import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS } from '../../stack/gateway/options.ts'
import { type GatewayServer, startGatewayServer } from './helpers/gateway-server.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { RawSocket } from './helpers/raw-socket.ts'
import { type Client, joined, realtimeClient, SEED, testStack, tokenFor, waitFor } from './helpers/stack.ts'

// One message must never disconnect anybody: the payload limit sits below what a subscriber may be sent, and a
// subscriber is dropped only for staying behind over time (a per-message bound let one 1.3 MiB crew broadcast
// close every other crew socket of the restaurant: docs/decisions.md, 2026-12-04).

const cleanup: (() => Promise<void> | void)[] = []
afterAll(async () => {
  for (const step of cleanup.reverse()) await step()
})

const secretHeaders = () => ({ apikey: testStack().secretKey })

async function stackMetrics(): Promise<{ drops: { slowConsumers: number; oversizedPayloads: number } }> {
  const res = await fetch(`${testStack().apiUrl}/realtime/v1/metrics`, { headers: secretHeaders() })
  return (await res.json()) as { drops: { slowConsumers: number; oversizedPayloads: number } }
}

describe('a crew broadcast too large for a subscriber', () => {
  let cook: Client
  let manager: Client
  beforeAll(async () => {
    cook = await realtimeClient(await tokenFor(SEED.users.grill))
    manager = await realtimeClient(await tokenFor(SEED.users.manager))
    cleanup.push(() => cook.close(), () => manager.close())
  })

  it('is refused to its sender, by socket and by REST, and every crew socket stays connected', async () => {
    const topic = `crew:${SEED.bistro}`
    const before = await stackMetrics()
    const received: string[] = []
    await joined(
      manager.sb.channel(topic, { config: { private: true } }).on(
        'broadcast',
        { event: '*' },
        (m) => received.push(m.event),
      ),
    )
    const crew = await joined(cook.sb.channel(topic, { config: { private: true, broadcast: { ack: true } } }))

    const notice = { text: 'x'.repeat(1.3 * 1024 * 1024) }
    expect(await crew.send({ type: 'broadcast', event: 'big', payload: notice })).toBe('error')
    await expect(crew.httpSend('big', notice)).rejects.toThrow('Payload size exceeds tenant limit')
    // The largest accepted payload reaches the manager, and so does a sentinel after it, on the same socket.
    const largest = { text: 'y'.repeat(DEFAULT_OPTIONS.maxPayloadBytes - 1000) }
    expect(await crew.send({ type: 'broadcast', event: 'largest', payload: largest })).toBe('ok')
    expect(await crew.send({ type: 'broadcast', event: 'sentinel', payload: {} })).toBe('ok')
    await waitFor(() => received.includes('sentinel'), 15_000, 'the sentinel')
    expect(received).toEqual(['largest', 'sentinel'])

    const after = await stackMetrics()
    expect(after.drops.slowConsumers - before.drops.slowConsumers).toBe(0)
    expect(after.drops.oversizedPayloads - before.drops.oversizedPayloads).toBeGreaterThanOrEqual(2)
  })
})

describe('a subscriber that falls behind', () => {
  // A gateway of our own with the default buffer limits, on a clock only the test moves: a subscriber's window
  // to catch up passes exactly when the test says so.
  const clock = new ManualClock()
  let server: GatewayServer
  let healthy: RawSocket
  let sent = 0
  const topic = 'gw-backlog'

  beforeAll(async () => {
    const { dbUrl, jwtSecret, anonKey } = testStack()
    server = await startGatewayServer(
      { dbUrl, jwtSecret },
      {
        slotName: 'plater_realtime_backpressure_test',
        maxEventsPerSocket: 100_000,
        maxEventsPerSecond: 100_000,
      },
      { clock },
    )
    cleanup.push(() => server.close())
    healthy = await subscriber(anonKey)
  })

  async function subscriber(anonKey = testStack().anonKey): Promise<RawSocket> {
    const socket = await RawSocket.open(server.url, anonKey)
    cleanup.push(() => socket.close())
    socket.push('1', '1', `realtime:${topic}`, 'phx_join', { config: { private: false } })
    expect((await socket.reply('1')).payload.status).toBe('ok')
    return socket
  }

  /** One REST broadcast of about 200 KB, sent once the healthy subscriber has the one before it. */
  async function broadcast(): Promise<number> {
    const i = sent++
    const res = await fetch(`${server.url}/realtime/v1/api/broadcast/${topic}/events/load`, {
      method: 'POST',
      headers: { apikey: testStack().anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ i, blob: 'z'.repeat(200 * 1024) }),
    })
    expect(res.status).toBe(202)
    await healthy.next((m) => m.event === 'broadcast' && m.payload.payload.i === i, 30_000)
    return i
  }

  /** Pauses the socket's reading and broadcasts until the gateway holds over the threshold for it (or drops it). */
  async function fallBehind(slow: RawSocket, dropsBefore: number): Promise<number[]> {
    slow.ws.pause() // the kernel's buffers fill, then the gateway's
    const sentToSlow: number[] = []
    for (let n = 0; n < 400; n++) {
      sentToSlow.push(await broadcast())
      const { backloggedSockets, drops } = server.gateway.snapshot()
      if (backloggedSockets >= 1 || drops.slowConsumers > dropsBefore) break
    }
    return sentToSlow
  }

  const received = (socket: RawSocket) =>
    socket.received.filter((m) => m.event === 'broadcast').map((m) => m.payload.payload.i as number)

  it('is not dropped while it catches up within its window, and gets every message in order', {
    timeout: 120_000,
  }, async () => {
    const slow = await subscriber()
    const dropsBefore = server.gateway.snapshot().drops.slowConsumers
    const sentToSlow = await fallBehind(slow, dropsBefore)
    expect(server.gateway.snapshot().drops.slowConsumers).toBe(dropsBefore)

    // Just short of the window, one more message still queues for it.
    clock.advance(DEFAULT_OPTIONS.slowConsumerMs - 1)
    sentToSlow.push(await broadcast())
    slow.ws.resume()
    await slow.next((m) => m.event === 'broadcast' && m.payload.payload.i === sentToSlow.at(-1), 30_000)
    expect(received(slow)).toEqual(sentToSlow)
    await waitFor(() => server.gateway.snapshot().backloggedSockets === 0, 10_000, 'the backlog to drain')
    // Caught up: the window that had started is over, and a later one starts afresh.
    clock.advance(DEFAULT_OPTIONS.slowConsumerMs)
    expect(server.gateway.snapshot().drops.slowConsumers).toBe(dropsBefore)
  })

  it(
    'is dropped when it is still behind at the end of its window, and nobody else is',
    { timeout: 120_000 },
    async () => {
      const slow = await subscriber()
      const dropsBefore = server.gateway.snapshot().drops.slowConsumers
      await fallBehind(slow, dropsBefore)
      expect(server.gateway.snapshot().drops.slowConsumers).toBe(dropsBefore)

      clock.advance(DEFAULT_OPTIONS.slowConsumerMs)
      expect(server.gateway.snapshot().drops.slowConsumers).toBe(dropsBefore + 1)
      slow.ws.resume()
      expect((await slow.closed).code).toBe(1006)
      await broadcast() // the healthy subscriber still receives
    },
  )
})
