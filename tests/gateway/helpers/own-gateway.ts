import { afterAll, beforeAll } from 'vitest'
import type { RealtimeGateway } from '../../../stack/gateway/index.ts'
import type { GatewayOptions } from '../../../stack/gateway/options.ts'
import { type GatewayServer, startGatewayServer } from './gateway-server.ts'
import { RawSocket } from './raw-socket.ts'
import { testStack } from './stack.ts'

export interface OwnGateway {
  /** Project URL (`http://127.0.0.1:<port>`), once the tests run. */
  readonly url: string
  readonly gateway: RealtimeGateway
  /** A raw socket on this gateway (anon key unless given; `localAddress`: another caller), closed after the tests. */
  open(options?: { apikey?: string; localAddress?: string }): Promise<RawSocket>
}

/**
 * A gateway of the tests' own on the stack's database (their own limits, clock or logger), started before the
 * tests of the enclosing file or describe and closed after them with every socket `open` gave.
 */
export function ownGateway(
  options: Partial<GatewayOptions>,
  extras: Parameters<typeof startGatewayServer>[2] = {},
): OwnGateway {
  let server: GatewayServer | undefined
  const sockets: RawSocket[] = []
  const started = (): GatewayServer => {
    if (!server) throw new Error('the gateway starts in beforeAll: use it from the tests')
    return server
  }

  beforeAll(async () => {
    const { dbUrl, jwtSecret } = testStack()
    server = await startGatewayServer({ dbUrl, jwtSecret }, options, extras)
  })
  afterAll(async () => {
    for (const socket of sockets) socket.close()
    await server?.close()
  })

  return {
    get url() {
      return started().url
    },
    get gateway() {
      return started().gateway
    },
    async open({ apikey = testStack().anonKey, localAddress } = {}) {
      const socket = await RawSocket.open(started().url, apikey, '2.0.0', localAddress)
      sockets.push(socket)
      return socket
    },
  }
}
