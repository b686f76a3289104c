import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * A module mounted on the API server under a path prefix (see docs/architecture.md, "Stack contract").
 * Requests whose path is `prefix` or starts with `prefix/` go to the route; the path is NOT rewritten.
 */
export interface ApiRoute {
  prefix: string
  handleRequest?(req: IncomingMessage, res: ServerResponse): void | Promise<void>
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void
  close?(): void | Promise<void>
}
