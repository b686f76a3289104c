import { createLogger, type Logger, logLevelFromEnv } from '../../../stack/log.ts'
import { createRealtimeGateway, type RealtimeGateway } from '../../../stack/gateway/index.ts'
import { serveGateway } from '../../../stack/testing/index.ts'
import type { Clock } from '../../../shared/clock.ts'
import { DEFAULT_OPTIONS, type GatewayOptions } from '../../../stack/gateway/options.ts'

/** Longer than any test: what a test does not ask for never happens to it. */
const NOT_IN_A_TEST_MS = 24 * 3600 * 1000

export interface GatewayServer {
  /** Project URL for createClient (`http://127.0.0.1:<port>`). */
  readonly url: string
  readonly gateway: RealtimeGateway
  close(): Promise<void>
}

/**
 * A gateway on its own HTTP server, for tests and load runs that need one they control (its own
 * database, its own limits) instead of the stack's.
 */
export async function startGatewayServer(
  config: { dbUrl: string; jwtSecret: string },
  options: Partial<GatewayOptions> = {},
  /** A clock the test moves, a logger it reads. */
  extras: { clock?: Clock; log?: Logger } = {},
): Promise<GatewayServer> {
  const log = extras.log ?? createLogger('gateway', logLevelFromEnv(process.env, 'warn'))
  // Sockets go idle on the gateway's clock; a test's clock jumps ahead while the sockets' heartbeats follow the wall
  // clock, so under a test's clock only a test that asks for it sees a socket go idle.
  const idle = extras.clock ? { idleTimeoutMs: NOT_IN_A_TEST_MS } : {}
  // Most test gateways keep the stack's slot name, which the stack's gateway holds, so they never stream: they test
  // joins and limits. Only a test that sets `streamDownMs` sees their stream declared down and their joins refused.
  const gateway = createRealtimeGateway(
    config,
    log,
    { ...DEFAULT_OPTIONS, ...idle, streamDownMs: NOT_IN_A_TEST_MS, ...options },
    extras.clock,
  )
  return { ...await serveGateway(gateway), gateway }
}
