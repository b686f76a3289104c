import { describe, expect, it } from 'vitest'
import { signApiKey } from '../../stack/api-keys.ts'
import { signAccessToken } from '../../stack/testing/index.ts'
import { ownGateway } from './helpers/own-gateway.ts'
import { type RawSocket, refusedUpgrade } from './helpers/raw-socket.ts'
import { SEED, testStack } from './helpers/stack.ts'

// Concurrent sockets per address, per API key and per user, refused at the upgrade with Realtime's 429 (without
// caps, idle anon-key sockets from one caller take the process to its descriptor limit). A gateway of our own
// with tiny caps; each test uses its own addresses and its own key or user, so none fills another's cap.

const server = ownGateway({
  maxConnectionsPerAddress: 3,
  maxConnectionsPerKey: 5,
  maxConnectionsPerUser: 2,
  slotName: 'plater_realtime_connections_test',
})

let keys = 0
/** An anon API key of its own (another `iat`, so another key string). */
// A distinct key per call: its iat counts down from one fixed instant (counting from the current second made two
// keys a second apart equal, so the per-key cap saw one key).
const KEYS_ISSUED_BEFORE = Math.floor(Date.now() / 1000) - 1000
const freshAnonKey = () => signApiKey(testStack().jwtSecret, 'anon', KEYS_ISSUED_BEFORE - ++keys)

const open = (apikey: string, localAddress: string) => server.open({ apikey, localAddress })

/** An upgrade that must be refused: its status and JSON body. */
const refused = (apikey: string, localAddress: string) =>
  refusedUpgrade(server.url, `apikey=${apikey}&vsn=2.0.0`, localAddress)

/** The first value `attempt` gives within 10 s (the gateway frees a place when the closed TCP connection ends). */
async function eventually<T>(attempt: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = await attempt()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`no ${what} within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const tooMany = (per: string, limit: number) => ({
  status: 429,
  body: { error: `Too many connected users: at most ${limit} sockets per ${per}` },
})

describe('per address', () => {
  it('refuses one socket more than the cap from an address, not from another, and frees the place on close', async () => {
    const key = await freshAnonKey()
    const held = [await open(key, '127.0.0.30'), await open(key, '127.0.0.30'), await open(key, '127.0.0.30')]
    expect(await refused(key, '127.0.0.30')).toEqual(tooMany('address', 3))
    await open(key, '127.0.0.31')
    expect(server.gateway.snapshot().refusedConnections.address).toBeGreaterThan(0)

    held[0]!.close()
    const next = await eventually(() => open(key, '127.0.0.30').catch(() => undefined), 'free place')
    next.push(null, 'hb', 'phoenix', 'heartbeat', {})
    expect((await next.reply('hb')).payload).toEqual({ status: 'ok', response: {} })
  })
})

describe('per key', () => {
  it('refuses one socket more than the cap for an API key that names no user, whatever the address', async () => {
    const key = await freshAnonKey()
    for (let n = 0; n < 5; n++) await open(key, `127.0.0.${40 + n}`)
    expect(await refused(key, '127.0.0.45')).toEqual(tooMany('API key', 5))
    // Another key is another cap.
    await open(await freshAnonKey(), '127.0.0.45')
  })
})

describe('per user', () => {
  it('refuses a third socket whose token names the same user at the upgrade', async () => {
    const token = await signAccessToken(testStack().jwtSecret, SEED.users.ana)
    await open(token, '127.0.0.50')
    await open(token, '127.0.0.51')
    expect(await refused(token, '127.0.0.52')).toEqual(tooMany('user', 2))
  })

  it('refuses a join as a user who already has channels on as many sockets (supabase-js connects with the anon key)', async () => {
    const key = await freshAnonKey()
    const token = await signAccessToken(testStack().jwtSecret, SEED.users.ben)
    const join = async (socket: RawSocket, ref: string) => {
      socket.push(ref, ref, 'realtime:gw-user-cap', 'phx_join', {
        config: { private: false },
        access_token: token,
      })
      return (await socket.reply(ref)).payload
    }
    const first = await open(key, '127.0.0.60')
    expect((await join(first, '1')).status).toBe('ok')
    expect((await join(await open(key, '127.0.0.61'), '1')).status).toBe('ok')
    // A second channel on a socket already counted takes no other place.
    expect((await join(first, '2')).status).toBe('ok')

    const third = await open(key, '127.0.0.62')
    expect(await join(third, '1')).toEqual({
      status: 'error',
      response: { reason: 'ConnectionRateLimitReached: Too many connected users' },
    })
    first.close()
    await eventually(
      async () => ((await join(third, `${++keys}`)).status === 'ok' ? true : undefined),
      'free place',
    )
  })
})
