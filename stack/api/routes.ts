import type { StackConfig } from '../config.ts'
import type { Logger } from '../log.ts'
import { createAuthRoute } from '../auth/index.ts'
import { createFunctionsRoute } from '../functions-host/index.ts'
import { createRealtimeGateway } from '../gateway/index.ts'
import { createConsoleRoute } from './console.ts'
import { type ApiRestarts, createHealthRoute } from './health.ts'
import type { ApiRoute } from './route.ts'

/**
 * Everything the API server mounts, by path prefix (docs/architecture.md):
 *   /health        this stack
 *   /realtime/v1   stack/gateway (createRealtimeGateway)
 *   /functions/v1  stack/functions-host (createFunctionsRoute)
 *   /auth/v1       stack/auth (createAuthRoute)
 *   everything else  the console's build and its deep links (createConsoleRoute)
 * Each lands as one more entry in the returned list.
 */
export async function createApiRoutes(
  config: StackConfig,
  log: Logger,
  restarts: ApiRestarts,
): Promise<ApiRoute[]> {
  return [
    createHealthRoute(config.dbUrl, { restarts }),
    createRealtimeGateway(config, log.child('realtime')),
    await createFunctionsRoute(config, log.child('functions')),
    await createAuthRoute(config, log.child('auth')),
    createConsoleRoute(config, log.child('console')),
  ]
}
