import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signAccessToken } from '../../stack/testing/index.ts'
import { DEFAULT_OPTIONS } from '../../stack/gateway/options.ts'
import { type GatewayServer, startGatewayServer } from './helpers/gateway-server.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { RawSocket } from './helpers/raw-socket.ts'
import { TcpProxy } from './helpers/tcp-proxy.ts'
import { SEED, testStack, waitFor } from './helpers/stack.ts'

// A database that stops answering (Postgres frozen with SIGSTOP, a stalled network) must not hold
// a join: it fails with a reason supabase-js retries, once the gateway's database deadline has passed on its clock.
// The gateway reaches Postgres through a proxy that stalls every connection, as a frozen server does, without
// freezing the database the other suites share.

const UNREACHABLE = 'UnableToConnectToProject: Realtime was unable to connect to the project database'

const clock = new ManualClock()
let proxy: TcpProxy
let server: GatewayServer
const cleanup: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  const { dbUrl, jwtSecret } = testStack()
  const target = new URL(dbUrl)
  proxy = await TcpProxy.start(target.hostname, Number(target.port))
  const proxied = new URL(dbUrl)
  proxied.port = String(proxy.port)
  server = await startGatewayServer(
    { dbUrl: proxied.toString(), jwtSecret },
    { slotName: 'plater_realtime_stall_test' },
    { clock },
  )
  await waitFor(() => server.gateway.snapshot().ingest.connected, 15_000, 'ingest to stream')
})

afterAll(async () => {
  for (const step of cleanup.reverse()) await step()
  proxy.cut() // what the stalled connections were waiting on ends, so the gateway can close
  await server?.close()
  await proxy?.close()
})

const managerToken = () => signAccessToken(testStack().jwtSecret, SEED.users.manager, new Date(clock.now()))

/** Moves the gateway's clock a database deadline at a time until `answered` is there. */
async function advanceUntil<T>(answered: () => Promise<T>): Promise<T> {
  const answer = answered()
  let settled = false
  void answer.finally(() => (settled = true)).catch(() => {})
  for (let step = 0; step < 40 && !settled; step++) {
    clock.advance(DEFAULT_OPTIONS.dbTimeoutMs)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return answer
}

describe('a stalled database', () => {
  it('fails a private join with a retryable reason at the database deadline, and the socket stays', {
    timeout: 60_000,
  }, async () => {
    const socket = await RawSocket.open(server.url, testStack().anonKey)
    cleanup.push(() => socket.close())
    const token = await managerToken()
    // One authorized join first, so the gateway holds an open connection when Postgres stops answering.
    socket.push('1', '1', `realtime:admin:${SEED.bistro}`, 'phx_join', {
      config: { private: true },
      access_token: token,
    })
    expect((await socket.reply('1')).payload.status).toBe('ok')

    proxy.stallAfter(0)
    socket.push('2', '2', `realtime:floor:${SEED.bistro}`, 'phx_join', {
      config: { private: true },
      access_token: token,
    })
    const reply = await advanceUntil(() => socket.next((m) => m.ref === '2', 20_000))
    expect(reply.payload).toEqual({ status: 'error', response: { reason: UNREACHABLE } })
    socket.push(null, 'hb', 'phoenix', 'heartbeat', {})
    expect((await socket.reply('hb')).payload.status).toBe('ok')
    proxy.cut()
  })

  it(
    'lets supabase-js retry on its own and subscribe once the database answers again',
    { timeout: 60_000 },
    async () => {
      const token = await managerToken()
      const sb = createClient(server.url, testStack().anonKey, {
        accessToken: () => Promise.resolve(token),
        realtime: { transport: WebSocket as never },
      })
      cleanup.push(async () => {
        await sb.removeAllChannels()
        sb.realtime.disconnect()
      })
      await sb.realtime.setAuth()
      // Warm the pool, then stall it.
      const warm = sb.channel(`admin:${SEED.bistro}`, { config: { private: true } })
      await new Promise<void>((resolve) => warm.subscribe((status) => status === 'SUBSCRIBED' && resolve()))
      proxy.stallAfter(0)

      const statuses: string[] = []
      const errors: string[] = []
      sb.channel(`floor:${SEED.bistro}`, { config: { private: true } }).subscribe((status, error) => {
        statuses.push(status)
        if (error) errors.push(error.message)
      })
      await advanceUntil(() => waitFor(() => statuses.includes('CHANNEL_ERROR'), 20_000, 'the join error'))
      expect(errors[0]).toBe(UNREACHABLE)

      proxy.cut() // Postgres answers again: the stalled connections end, new ones flow
      await waitFor(() => statuses.includes('SUBSCRIBED'), 30_000, 'supabase-js to rejoin')
    },
  )
})
