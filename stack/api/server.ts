import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from '../log.ts'
import { assertPortFree } from '../ports.ts'
import type { ApiRoute } from './route.ts'
import { HttpError, rawJsonResponse, SECURITY_HEADERS, sendError } from './respond.ts'
import { normalizeRequest } from './target.ts'

export interface ApiServer {
  readonly url: string
  close(): Promise<void>
}

export interface ApiServerOptions {
  host: string
  port: number
  routes: ApiRoute[]
  log: Logger
}

export const API_PORT_HINT =
  'Stop whatever listens there (`plater stop` if it is another Plater stack) or choose another port with PLATER_API_PORT.'

// Upgraded (WebSocket) sockets belong to their route; plain keep-alive connections get this long to finish.
const CLOSE_GRACE_MS = 3000

/** Longest prefix first, so a route at `/a/b` wins over one at `/a`. Matches whole path segments only. */
function routeFor(routes: ApiRoute[], path: string): ApiRoute | undefined {
  return routes.find((route) => path === route.prefix || path.startsWith(`${route.prefix}/`))
}

/** The stack's single HTTP entry point (like Supabase's API gateway on :54321), dispatching by path prefix. */
export async function startApiServer({ host, port, routes, log }: ApiServerOptions): Promise<ApiServer> {
  await assertPortFree(host, port, 'API', API_PORT_HINT)
  const ordered = [...routes].sort((a, b) => b.prefix.length - a.prefix.length)

  // Nothing a client sends may end the process: every listener answers a bad request with 400 and a failing
  // route with 500, and the sockets it hands on carry an error listener from the start.
  const handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    const target = normalizeRequest(req)
    if (!target.ok) {
      sendError(res, new HttpError(400, 'bad_request', target.reason, undefined, { connection: 'close' }))
      return
    }
    const route = routeFor(ordered, target.path)
    if (!route?.handleRequest) {
      sendError(res, new HttpError(404, 'not_found', `no route for ${target.path}`))
      return
    }
    const failed = (error: unknown) => {
      log.error(`unhandled error in ${route.prefix || '/'}`, { error })
      if (!res.headersSent) sendError(res, new HttpError(500, 'internal_error', 'internal error'))
      else res.destroy()
    }
    try {
      Promise.resolve(route.handleRequest(req, res)).catch(failed)
    } catch (error) {
      failed(error)
    }
  }

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // The HTTP server drops its own error listener from an upgraded socket; a reset before the route adds one
    // would be an uncaught 'error'.
    socket.on('error', (error) => log.debug('upgrade socket error', { error }))
    const target = normalizeRequest(req)
    if (!target.ok) {
      socket.end(rawJsonResponse(new HttpError(400, 'bad_request', target.reason)))
      return
    }
    const route = routeFor(ordered, target.path)
    if (!route?.handleUpgrade) {
      socket.end(rawJsonResponse(new HttpError(404, 'not_found', `no WebSocket endpoint at ${target.path}`)))
      return
    }
    try {
      route.handleUpgrade(req, socket, head)
    } catch (error) {
      log.error(`unhandled error in the upgrade of ${route.prefix}`, { error })
      if (socket.writable) socket.end(rawJsonResponse(new HttpError(500, 'internal_error', 'internal error')))
      else socket.destroy()
    }
  }

  const server = createServer(handleRequest)
  server.on('upgrade', handleUpgrade)
  // A request Node's parser refuses (malformed request line or header, headers over the size limit, a timeout):
  // answered like every other error, instead of Node's bare 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // an answer already under way on this connection cannot be followed by another
    const answering = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent
    if (error.code === 'ECONNRESET' || !socket.writable || answering) {
      socket.destroy()
      return
    }
    socket.end(rawJsonResponse(clientErrorAnswer(error)))
  })

  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  log.info(`listening on http://${host}:${port}`, { routes: ordered.map((route) => route.prefix) })

  return {
    url: `http://${host}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      // Routes first: they end their long-lived connections (WebSockets) and release database pools.
      for (const route of ordered) {
        try {
          await route.close?.()
        } catch (error) {
          log.warn(`closing ${route.prefix} failed`, { error })
        }
      }
      const timer = setTimeout(() => sockets.forEach((socket) => socket.destroy()), CLOSE_GRACE_MS)
      await closed
      clearTimeout(timer)
    },
  }
}

/** The answer to a request Node's HTTP parser refused (the codes Node itself would answer with). */
function clientErrorAnswer(error: NodeJS.ErrnoException): HttpError {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new HttpError(431, 'headers_too_large', 'request headers too large')
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new HttpError(408, 'request_timeout', 'request timed out')
  }
  return new HttpError(400, 'bad_request', 'malformed request')
}
