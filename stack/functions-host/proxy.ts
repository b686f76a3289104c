import {
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http'
import { HttpError } from '../api/respond.ts'

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded in either direction.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
])

export function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
  }
  return out
}

export const MAX_BODY_BYTES = 4 * 1024 * 1024
/** A refused body is read and dropped up to this size so its 413 reaches the client; past it the connection is cut. */
export const MAX_DISCARD_BYTES = 64 * 1024 * 1024

/**
 * Reads and drops the rest of a refused body. A server that answers and closes while the client is still sending
 * resets the connection, and the client sees that reset instead of the answer. False when the rest is larger than
 * `limit` too (the connection is then cut).
 */
export function discardBody(req: IncomingMessage, limit = MAX_DISCARD_BYTES): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true)
  return new Promise((resolve) => {
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.destroy()
        resolve(false)
      }
    })
    req.once('end', () => resolve(true))
    req.once('close', () => resolve(req.readableEnded))
    req.resume()
  })
}

export interface Hop {
  /** The function's name, for the answer when the hop fails. */
  name: string
  endpoint: { socketPath: string } | { port: number }
  method: string
  path: string
  headers: Record<string, string | string[]>
  body: Buffer
  timeoutMs: number
}

// Answers the host gives itself (the function never saw the request, or broke off) say so, as Supabase's relay does.
const RELAY_ERROR_HEADERS: Record<string, string> = { 'x-relay-error': 'true' }

export function relayError(status: number, code: string, message: string): HttpError {
  return new HttpError(status, code, message, undefined, RELAY_ERROR_HEADERS)
}

/**
 * A hop that failed before the worker answered, as the relay answers it: 504 `function_timeout` when the function
 * took too long, 502 `function_crashed` when it could not be reached or broke off (`reason`: what broke).
 */
export class HopError extends HttpError {
  constructor(
    target: Pick<Hop, 'name' | 'timeoutMs'>,
    readonly kind: 'connect' | 'timeout' | 'broken',
    /** True when nothing can have reached the worker's handler (safe to send again). */
    readonly unsent: boolean,
    reason = '',
  ) {
    super(...hopAnswer(target, kind, reason), undefined, RELAY_ERROR_HEADERS)
    this.name = 'HopError'
  }
}

function hopAnswer(
  target: Pick<Hop, 'name' | 'timeoutMs'>,
  kind: HopError['kind'],
  reason: string,
): [number, string, string] {
  return kind === 'timeout'
    ? [504, 'function_timeout', `function "${target.name}" did not answer within ${target.timeoutMs} ms`]
    : [502, 'function_crashed', `function "${target.name}" broke off the request (${reason})`]
}

/**
 * Sends one request to a worker and streams its answer into `res`. Rejects with a HopError when the worker
 * cannot be reached or breaks off before answering; once the answer has started, a break destroys `res`.
 */
export function hop(agent: Agent, target: Hop, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let answered = false
    const upstream = request({
      agent,
      ...('socketPath' in target.endpoint
        ? { socketPath: target.endpoint.socketPath }
        : { host: '127.0.0.1', port: target.endpoint.port }),
      method: target.method,
      path: target.path,
      headers: { ...target.headers, 'content-length': String(target.body.length) },
    })
    const timer = setTimeout(() => {
      upstream.destroy(new HopError(target, 'timeout', false))
    }, target.timeoutMs)

    upstream.once('response', (answer) => {
      answered = true
      clearTimeout(timer)
      res.writeHead(answer.statusCode ?? 502, forwardableHeaders(answer.headers))
      answer.pipe(res)
      answer.once('end', () => resolve())
      answer.once('error', () => {
        res.destroy()
        resolve()
      })
    })
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (answered) {
        res.destroy()
        resolve()
        return
      }
      if (error instanceof HopError) return reject(error)
      const code = error.code ?? ''
      // A refused connection (or a missing socket file) never reached the worker; a reset on a reused keep-alive
      // socket before any answer is the classic stale-socket race (the request was not read).
      const refused = code === 'ECONNREFUSED' || code === 'ENOENT'
      const unsent = refused || (upstream.reusedSocket && code === 'ECONNRESET')
      reject(new HopError(target, refused ? 'connect' : 'broken', unsent, code || error.message))
    })
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    upstream.end(target.body)
  })
}
