import type { IncomingMessage, ServerResponse } from 'node:http'
import { BodyTooLarge } from '../../../shared/http/body.ts'
import { readNodeBody } from '../../../shared/http/node-body.ts'
import { CORS_ORIGIN, HttpError, preflightHeaders, sendError } from '../../api/respond.ts'
import type { Claims } from '../auth/jwt.ts'
import { ProbeError } from '../auth/policies.ts'
import type { GatewayContext } from '../context.ts'
import { MAX_JSON_DEPTH, TOPIC_PREFIX } from '../protocol/constants.ts'
import type { RawPayload } from '../protocol/frames.ts'
import { callerKey } from '../limits.ts'
import { isRecord } from '../protocol/inbound.ts'
import { jsonDepthExceeds } from '../protocol/json-depth.ts'
import { REST_RATE_LIMITED } from '../protocol/reasons.ts'
import { topicKey } from '../registry.ts'
import { broadcastTenant } from '../tenant.ts'
import { xHeaders } from '../transport/x-headers.ts'
import { requestToken } from './credentials.ts'

/**
 * Realtime's REST broadcast (BroadcastController, BroadcastSingleController, BatchBroadcast):
 *
 *   POST /api/broadcast                               {"messages": [{topic, event, payload, private?, id?}]}
 *   POST /api/broadcast/:topic/events/:event[?private=true]   body = the payload (JSON or octet-stream)
 *
 * Auth: `Authorization: Bearer <jwt>` over the `apikey` header (and, as realtime-js also sends it, the
 * query). 202 with an empty body on success. Private messages need RLS broadcast write on their topic,
 * checked once per topic with the caller's claims; denied topics are skipped silently, still 202.
 * Errors are Realtime's `{"message": …}`; JSON nested deeper than MAX_JSON_DEPTH, or a topic or event that is
 * not valid percent-encoding, is a 400. Messages count against the caller's budget (a socket's) and their
 * restaurant's (broadcast.ts): a request that does not fit is refused whole with Realtime's 429, nothing sent.
 */

interface Message {
  readonly topic: string
  readonly event: string
  readonly payload: RawPayload
  readonly private: boolean
  readonly id: string | null
}

const SINGLE = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/

export class BroadcastApi {
  readonly #ctx: GatewayContext

  constructor(ctx: GatewayContext) {
    this.#ctx = ctx
  }

  /** True when `path` (relative to the gateway prefix) is one of the broadcast endpoints. */
  matches(path: string): boolean {
    return path === '/api/broadcast' || SINGLE.test(path)
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    try {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Method Not Allowed')
      const claims = await this.#authenticate(req, url)
      const messages = path === '/api/broadcast' ? await this.#batch(req) : await this.#single(req, url, path)
      const now = this.#ctx.clock.now()
      const caller = this.#ctx.eventBudgets.callers.get(
        callerKey(claims.sub, req.socket.remoteAddress ?? ''),
        now,
      )
      if (!caller.tryTake(now, messages.length)) throw this.#rateLimited('socket')
      this.#publish(await this.#writable(messages, claims, req))
      res.writeHead(202, CORS_ORIGIN).end()
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      sendError(res, error, { message: error.message })
    }
  }

  async #authenticate(req: IncomingMessage, url: URL): Promise<Claims> {
    const token = requestToken(req, url)
    if (!token) throw unauthorized()
    const verified = await this.#ctx.verifier.verify(token, Math.floor(this.#ctx.clock.now() / 1000))
    if (!verified.ok) {
      this.#ctx.metrics.authFailures.connect++
      throw unauthorized()
    }
    return verified.claims
  }

  async #batch(req: IncomingMessage): Promise<Message[]> {
    const parsed = parseJsonBody(await this.#read(req, this.#ctx.options.maxFrameBytes))
    if (!isRecord(parsed) || !Array.isArray(parsed.messages)) throw unprocessable('messages must be a list')
    return parsed.messages.map((item: unknown) => {
      if (!isRecord(item) || typeof item.topic !== 'string' || typeof item.event !== 'string') {
        throw unprocessable('each message needs a string topic and event')
      }
      const bytes = Buffer.from(JSON.stringify(item.payload ?? {}))
      this.#checkSize(bytes.length)
      return {
        topic: item.topic,
        event: item.event,
        payload: { encoding: 'json' as const, bytes },
        private: item.private === true || item.private === 'true',
        id: typeof item.id === 'string' ? item.id : null,
      }
    })
  }

  async #single(req: IncomingMessage, url: URL, path: string): Promise<Message[]> {
    const [, topic, event] = SINGLE.exec(path)!
    const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json' && type !== 'application/octet-stream') {
      throw new HttpError(415, 'unsupported_media_type', 'Unsupported Media Type')
    }
    const bytes = await this.#read(req, this.#ctx.options.maxPayloadBytes)
    if (type === 'application/json') parseJsonBody(bytes)
    return [
      {
        topic: decodeSegment(topic!),
        event: decodeSegment(event!),
        payload: { encoding: type === 'application/json' ? 'json' : 'binary', bytes },
        private: url.searchParams.get('private') === 'true',
        id: null,
      },
    ]
  }

  async #read(req: IncomingMessage, limit: number): Promise<Buffer> {
    try {
      return await readNodeBody(req, limit)
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error
      this.#ctx.metrics.drops.oversizedPayloads++
      throw unprocessable(PAYLOAD_TOO_LARGE)
    }
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#ctx.options.maxPayloadBytes) {
      this.#ctx.metrics.drops.oversizedPayloads++
      throw unprocessable(PAYLOAD_TOO_LARGE)
    }
  }

  /** The messages the caller may send: public ones, and private ones whose topic RLS lets it write. */
  async #writable(messages: Message[], claims: Claims, req: IncomingMessage): Promise<Message[]> {
    const { metrics, probe, log } = this.#ctx
    const writable = new Map<string, boolean>()
    const allowed: Message[] = []
    for (const message of messages) {
      if (message.private) {
        let may = writable.get(message.topic)
        if (may === undefined) {
          try {
            may = (await probe.write({ subTopic: message.topic, claims, headers: xHeaders(req) })).broadcast
          } catch (error) {
            if (!(error instanceof ProbeError)) throw error
            log.warn('write authorization failed (HTTP broadcast)', {
              topic: message.topic,
              kind: error.kind,
            })
            may = false
          }
          writable.set(message.topic, may)
        }
        if (!may) {
          metrics.drops.unauthorizedWrites++
          continue
        }
      }
      allowed.push(message)
    }
    return allowed
  }

  /** Sends every message if each restaurant's budget has room for its share, else none. */
  #publish(messages: Message[]): void {
    const { registry, metrics, eventBudgets, clock } = this.#ctx
    const now = clock.now()
    const perTenant = new Map<string, number>()
    for (const message of messages) {
      const tenant = broadcastTenant(message.topic, message.private)
      perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1)
    }
    for (const [tenant, count] of perTenant) {
      if (!eventBudgets.tenants.get(tenant, now).allows(now, count)) throw this.#rateLimited('tenant')
    }
    for (const [tenant, count] of perTenant) eventBudgets.tenants.get(tenant, now).count(now, count)
    for (const message of messages) {
      metrics.broadcasts.http++
      registry.publish(topicKey(message.topic, message.private), {
        topic: TOPIC_PREFIX + message.topic,
        event: message.event,
        payload: message.payload,
        meta: message.id === null ? null : JSON.stringify({ id: message.id }),
      })
    }
  }

  #rateLimited(limit: 'socket' | 'tenant'): HttpError {
    this.#ctx.metrics.rateLimitedBroadcasts[limit]++
    return new HttpError(429, 'rate_limited', REST_RATE_LIMITED, undefined, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    })
  }
}

/** Realtime's REST API is open to browsers (Corsica origins "*"): the answer to a preflight. */
export const PREFLIGHT = preflightHeaders(['POST'], [
  'authorization',
  'x-client-info',
  'apikey',
  'content-type',
])

const PAYLOAD_TOO_LARGE = 'Payload size exceeds tenant limit'

/** Budgets are averaged over 5 s of one-second buckets: a second from now, one bucket has emptied. */
const RETRY_AFTER_SECONDS = 1

const unauthorized = () => new HttpError(401, 'unauthorized', 'Unauthorized')
const unprocessable = (message: string) => new HttpError(422, 'unprocessable', message)

/** A path segment's percent-encoding (`%zz` is no encoding at all: 400, not an exception). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpError(
      400,
      'bad_request',
      'The topic and event in the path must be valid percent-encoded UTF-8',
    )
  }
}

/** A JSON body, parsed only if it is JSON and nests no deeper than a client frame may. */
function parseJsonBody(bytes: Buffer): unknown {
  const text = bytes.toString('utf8')
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, 'bad_request', `Request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new HttpError(400, 'bad_request', 'Request body is not valid JSON')
  }
}
