import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { sleep } from '../../../shared/clock.ts'
import type { GatewayContext } from '../context.ts'
import { targetUrl } from '../../api/target.ts'
import { DEFAULT_VSN } from '../protocol/constants.ts'
import { CONNECT_ERROR } from '../protocol/reasons.ts'
import type { Serializer } from '../protocol/serializer.ts'
import { serializerFor } from '../protocol/versions.ts'
import type { ConnectionSlot } from './connections.ts'
import { xHeaders } from './x-headers.ts'

/**
 * The WebSocket handshake at `<prefix>/websocket` (UserSocket.connect): credentials from the `x-api-key`
 * header, else the `apikey` query parameter; the JWT verified with the project secret; the serializer
 * chosen by `vsn`; the socket must fit the connection caps (connections.ts) of its address and of its key
 * (its user, when the token names one). Refusals are HTTP JSON `{"error": …}` instead of an upgrade, after
 * Realtime's CONNECT_ERROR_BACKOFF_MS — except at a cap (429), answered at once so a flood holds no descriptor
 * for long.
 */

export interface Accepted {
  readonly ws: WebSocket
  readonly socket: Duplex
  readonly serializer: Serializer
  readonly token: string
  /** `x-*` request headers (Phoenix's x_headers), for `request.headers` in RLS policies. */
  readonly headers: Readonly<Record<string, string>>
  /** Who an anonymous caller is, for the join limits. */
  readonly remoteAddress: string
  /** The token's `sub`, whose connection cap this socket counts against. */
  readonly user: string | null
}

export class Upgrader {
  readonly #ctx: GatewayContext
  readonly #path: string
  readonly #wss: WebSocketServer

  constructor(ctx: GatewayContext, prefix: string) {
    this.#ctx = ctx
    this.#path = `${prefix}/websocket`
    // No compression (it costs memory per socket and CPU per message), our own socket tracking, and the
    // Phoenix transport's max frame size.
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      maxPayload: ctx.options.maxFrameBytes,
    })
  }

  /** Resolves with the open socket, or null when the request was refused (and answered). */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<Accepted | null> {
    // The client may hang up while the token is checked; an 'error' without a listener would crash us.
    socket.on('error', ignore)
    const url = targetUrl(req.url)
    if (!url) {
      return this.#refuse(
        socket,
        400,
        'Bad Request',
        { error: 'The request target is not a valid URL' },
        false,
      )
    }
    if (url.pathname !== this.#path) {
      return this.#refuse(socket, 404, 'Not Found', { error: 'Not Found' }, false)
    }
    const vsn = url.searchParams.get('vsn') ?? DEFAULT_VSN
    const serializer = serializerFor(vsn)
    if (!serializer) {
      return this.#refuse(socket, 403, 'Forbidden', { error: CONNECT_ERROR.unsupportedVsn(vsn) })
    }

    const header = req.headers['x-api-key']
    const token = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey')
    if (!token) return this.#refuse(socket, 401, 'Unauthorized', { error: CONNECT_ERROR.missingApiKey })
    const verified = await this.#ctx.verifier.verify(token, Math.floor(this.#ctx.clock.now() / 1000))
    if (!verified.ok) return this.#refuse(socket, 401, 'Unauthorized', { error: verified.message })

    if (socket.destroyed) return null
    const remoteAddress = req.socket.remoteAddress ?? ''
    const sub = verified.claims.sub || null
    const slots: ConnectionSlot[] = [
      { cap: 'address', key: remoteAddress },
      sub ? { cap: 'user', key: sub } : { cap: 'key', key: token },
    ]
    const { connections, metrics } = this.#ctx
    const full = connections.take(slots)
    if (full) {
      metrics.refusedConnections[full]++
      const error = CONNECT_ERROR.tooManyConnections(full, connections.limit(full))
      return this.#refuse(socket, 429, 'Too Many Requests', { error }, false)
    }
    // The TCP connection's end, whether the upgrade completed or not.
    socket.once('close', () => connections.release(slots))
    const ws = await new Promise<WebSocket>((resolve) => this.#wss.handleUpgrade(req, socket, head, resolve))
    return { ws, socket, serializer, token, headers: xHeaders(req), remoteAddress, user: sub }
  }

  close(): void {
    this.#wss.close()
  }

  async #refuse(socket: Duplex, status: number, text: string, body: object, backoff = true): Promise<null> {
    this.#ctx.metrics.authFailures.connect += status === 401 ? 1 : 0
    const { clock, options } = this.#ctx
    if (backoff && options.connectErrorBackoffMs > 0) {
      await sleep(clock, options.connectErrorBackoffMs)
    }
    const json = JSON.stringify(body)
    if (!socket.destroyed) {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
      )
    }
    return null
  }
}

function ignore(): void {}
