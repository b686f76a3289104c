import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRealtimeGateway, REALTIME_PREFIX, type RealtimeGateway } from '../gateway/index.ts'
import { optionsFromEnv } from '../gateway/options.ts'
import { createLogger } from '../log.ts'

export type { GatewaySnapshot } from '../gateway/index.ts'

/**
 * The realtime gateway alone, on its own HTTP server on a free port: the code the stack mounts at /realtime/v1,
 * with its own replication slot and limits from the PLATER_REALTIME_* variables of `env`, and nothing else of
 * the stack (no API, functions or auth). The load harness runs one in a process of its own, so the gateway's CPU
 * and memory are measured apart from the load generator's.
 */
export interface BareGateway {
  readonly url: string
  close(): Promise<void>
}

export function serveBareGateway(
  dbUrl: string,
  jwtSecret: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BareGateway> {
  return serveGateway(
    createRealtimeGateway({ dbUrl, jwtSecret }, createLogger('bare-gateway', 'warn'), optionsFromEnv(env)),
  )
}

/** `gateway` on its own HTTP server on a free loopback port; closing closes the gateway, then the server. */
export async function serveGateway(gateway: RealtimeGateway): Promise<BareGateway> {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith(REALTIME_PREFIX)) void gateway.handleRequest!(req, res)
    else res.writeHead(404).end()
  })
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade!(req, socket, head))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await gateway.close!()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
