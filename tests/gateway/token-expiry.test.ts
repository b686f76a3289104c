import { describe, expect, it } from 'vitest'
import { signAccessToken } from '../../stack/testing/index.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { ownGateway } from './helpers/own-gateway.ts'
import { type RawSocket, refusedUpgrade } from './helpers/raw-socket.ts'
import { SEED, testStack } from './helpers/stack.ts'

// Token lifetimes against a gateway whose clock only the test moves: the expiry of a joined channel and the
// refusal of an expired token are exact to the second, whatever the machine's load.

const clock = new ManualClock()
const server = ownGateway(
  { connectErrorBackoffMs: 0, joinErrorBackoffMs: 0, slotName: 'plater_realtime_expiry_test' },
  { clock },
)
const topic = `server:${SEED.bistro}:${SEED.users.ana.id}`

/** Ana's access token (one-hour lifetime) that expires `seconds` from the gateway's now (negative: ago). */
function anaExpiringIn(seconds: number): Promise<string> {
  return signAccessToken(
    testStack().jwtSecret,
    SEED.users.ana,
    new Date(clock.now() + (seconds - 3600) * 1000),
  )
}

/** A socket with Ana's server topic joined (join_ref "1") on a token that expires `seconds` from now. */
async function joinedAna(seconds: number): Promise<RawSocket> {
  const socket = await server.open()
  socket.push('1', '1', `realtime:${topic}`, 'phx_join', {
    config: { private: true },
    access_token: await anaExpiringIn(seconds),
  })
  expect((await socket.reply('1')).payload.status).toBe('ok')
  return socket
}

describe('token expiry on the gateway clock', () => {
  it('refuses an upgrade with a token that expired 30 s ago, to the second', async () => {
    expect(await refusedUpgrade(server.url, `apikey=${await anaExpiringIn(-30)}&vsn=2.0.0`)).toEqual({
      status: 401,
      body: { error: 'Token has expired 30 seconds ago' },
    })
  })

  it('keeps a channel until its token expires, then closes it with a system error', async () => {
    const socket = await joinedAna(10)

    // A second before the expiry nothing happens: the heartbeat sent after it is answered with nothing before it.
    clock.advance(9_000)
    socket.push(null, 'hb', 'phoenix', 'heartbeat', {})
    await socket.reply('hb')
    expect(socket.received.map((m) => m.event)).toEqual(['phx_reply', 'presence_state', 'phx_reply'])

    // The expiry timer fires at `exp` on the gateway's clock: expired 0 seconds ago, as Realtime counts.
    clock.advance(1_000)
    const system = await socket.next((m) => m.event === 'system')
    expect(system.payload).toEqual({
      extension: 'system',
      status: 'error',
      message: 'Token has expired 0 seconds ago',
      channel: topic,
    })
    await socket.next((m) => m.event === 'phx_close')
  })

  it('ends the channel when an access_token push carries a token that has already expired', async () => {
    const socket = await joinedAna(3600)
    socket.push('1', '2', `realtime:${topic}`, 'access_token', { access_token: await anaExpiringIn(-5) })
    const system = await socket.next((m) => m.event === 'system')
    expect(system.payload).toMatchObject({ status: 'error', message: 'Token has expired 5 seconds ago' })
  })
})
