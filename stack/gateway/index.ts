import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import postgres from 'postgres'
import { sendJson } from '../api/respond.ts'
import type { ApiRoute } from '../api/route.ts'
import type { StackConfig } from '../config.ts'
import type { Logger } from '../log.ts'
import { stackVerifier, VerifiedTokenCache } from './auth/jwt.ts'
import { PolicyProbe } from './auth/policies.ts'
import { type Clock, systemClock } from '../../shared/clock.ts'
import type { GatewayContext } from './context.ts'
import { applyEventLoopPriority } from './event-loop-priority.ts'
import { BroadcastApi, PREFLIGHT } from './http/broadcast-api.ts'
import { MetricsAccess } from './http/metrics-access.ts'
import { targetUrl } from '../api/target.ts'
import type { DatabaseMessage } from './ingest/message-row.ts'
import { type IngestStatus, ReplicationIngest } from './ingest/replication.ts'
import { RateBudgets } from './limits.ts'
import { GatewayMetrics } from './metrics.ts'
import { assertConsistent, type GatewayOptions, optionsFromEnv } from './options.ts'
import { TOPIC_PREFIX } from './protocol/constants.ts'
import { SYSTEM_MESSAGE } from './protocol/reasons.ts'
import { topicKey, TopicRegistry } from './registry.ts'
import { ReplayReader } from './replay.ts'
import { Session } from './session.ts'
import { ThrottledWarning } from './throttled-warning.ts'
import { Conn, Flusher } from './transport/conn.ts'
import { ConnectionCounts } from './transport/connections.ts'
import { descriptorLimit, descriptorWarning } from './transport/descriptors.ts'
import { type Accepted, Upgrader } from './transport/upgrade.ts'

/**
 * The Supabase Realtime gateway of the local stack, mounted at `/realtime/v1` on the API server:
 *
 *   GET  /realtime/v1/websocket?apikey=…&vsn=1.0.0|2.0.0      Phoenix channels, as supabase-js expects
 *   POST /realtime/v1/api/broadcast                            REST broadcast (batch)
 *   POST /realtime/v1/api/broadcast/:topic/events/:event       REST broadcast (one message)
 *   GET  /realtime/v1/metrics                                  gateway metrics as JSON (not a Supabase API; secret key)
 *
 * @example
 *   const gateway = createRealtimeGateway(config, log.child('realtime'));
 *   routes.push(gateway);
 */

export const REALTIME_PREFIX = '/realtime/v1'

/** Bad frames are logged at most once per this interval (with how many were not), not once per frame. */
const MALFORMED_WARNING_INTERVAL_MS = 10_000

export interface GatewaySnapshot {
  readonly sockets: number
  readonly channels: number
  readonly topics: number
  readonly messages: { readonly in: number; readonly out: number }
  readonly bytes: { readonly in: number; readonly out: number }
  readonly broadcasts: GatewayMetrics['broadcasts']
  readonly drops: GatewayMetrics['drops']
  readonly authFailures: GatewayMetrics['authFailures']
  readonly backloggedSockets: number
  readonly rateLimitedJoins: GatewayMetrics['rateLimitedJoins']
  readonly rateLimitedBroadcasts: GatewayMetrics['rateLimitedBroadcasts']
  readonly refusedConnections: GatewayMetrics['refusedConnections']
  readonly ingest: IngestStatus
  readonly process: {
    readonly rssBytes: number
    readonly heapUsedBytes: number
    /** The open-files limit every socket counts against (Linux; null elsewhere). */
    readonly openFilesLimit: number | null
  }
}

export interface RealtimeGateway extends ApiRoute {
  snapshot(): GatewaySnapshot
}

export function createRealtimeGateway(
  /** The JWKS and new API keys are optional so a bare gateway (tests, load/) can run with the legacy secret. */
  config:
    & Pick<StackConfig, 'dbUrl' | 'jwtSecret'>
    & Partial<Pick<StackConfig, 'jwks' | 'publishableKey' | 'secretKey'>>,
  log: Logger,
  options: GatewayOptions = optionsFromEnv(),
  /** Rate windows and token expiry run on it; tests pass one they move by hand. */
  clock: Clock = systemClock,
): RealtimeGateway {
  assertConsistent(options)
  applyEventLoopPriority(options.eventLoopNice, log)
  const descriptors = descriptorLimit()
  const descriptorAdvice = descriptorWarning(descriptors, options)
  if (descriptorAdvice) log.warn(descriptorAdvice)
  const sql = postgres(config.dbUrl, {
    max: options.dbPoolSize,
    connect_timeout: 5,
    onnotice: () => {},
    // A policy that never returns must not hold a join forever.
    connection: { application_name: 'plater_realtime', statement_timeout: '5000' } as Record<string, string>,
  })
  const sessions = new Set<Session>()
  // A client learns of a gap only from a later seq, which may never come (or come from a re-created database),
  // and of a stream that is down not at all; a closed channel it does notice: supabase-js apps join again (the
  // Plater client polls meanwhile) and catch up from the seq they hold.
  const shutEveryChannel = (why: string) => {
    let shut = 0
    for (const session of sessions) shut += session.shutdownChannels(SYSTEM_MESSAGE.databaseUnavailable)
    log.warn(`shut every channel: ${why}`, { channels: shut })
  }
  const ingest = new ReplicationIngest({
    dbUrl: config.dbUrl,
    sql,
    slotName: options.slotName,
    log: log.child('ingest'),
    clock,
    onMessage: (message) => publishDatabaseMessage(ctx, message),
    onStreamGap: () => shutEveryChannel('a gap in the database stream'),
    downAfterMs: options.streamDownMs,
    onDown: () =>
      shutEveryChannel(`the database stream is down (${options.streamDownMs} ms); joins are refused`),
  })
  const metrics = new GatewayMetrics()
  const registry = new TopicRegistry(metrics)
  // Postgres waits in a join (and a write probe) end here, not when the statement_timeout would: a frozen
  // server never gets to cancel anything.
  const dbDeadline = { clock, ms: options.dbTimeoutMs }
  const verifier = new VerifiedTokenCache(stackVerifier(config))
  const ctx: GatewayContext = {
    options,
    log,
    metrics,
    verifier,
    probe: new PolicyProbe(sql, dbDeadline),
    registry,
    joinBudgets: new RateBudgets(options.maxJoinsPerCaller, options.maxJoinsPerSecond),
    eventBudgets: new RateBudgets(options.maxEventsPerSocket, options.maxEventsPerSecond),
    connections: new ConnectionCounts(options),
    clock,
    malformedFrameWarning: new ThrottledWarning(
      log,
      'dropped malformed frame',
      MALFORMED_WARNING_INTERVAL_MS,
      clock,
    ),
    replay: new ReplayReader(sql, dbDeadline),
    stream: ingest,
  }
  const flusher = new Flusher(options, options.flushIntervalMs, metrics, clock)
  const upgrader = new Upgrader(ctx, REALTIME_PREFIX)
  const broadcastApi = new BroadcastApi(ctx)
  const metricsAccess = new MetricsAccess(verifier, clock)

  ingest.start()

  // One timer for every socket's idle check (a timer per socket would cost memory at 10k sockets).
  const sweepEveryMs = Math.max(1000, Math.min(options.idleTimeoutMs / 4, 15_000))
  const sweepIdle = () => {
    const deadline = clock.now() - options.idleTimeoutMs
    for (const session of sessions) if (session.lastSeenAt < deadline) session.conn.terminate()
    sweep = clock.setTimeout(sweepIdle, sweepEveryMs)
  }
  let sweep = clock.setTimeout(sweepIdle, sweepEveryMs)

  function attach(accepted: Accepted): void {
    const { ws, socket, serializer } = accepted
    const session = new Session(ctx, new Conn(ws, socket, flusher), serializer, accepted)
    sessions.add(session)
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        session.onFrame(data, isBinary)
      } catch (error) {
        // A bug in a handler must cost one frame, not the gateway.
        log.error('frame handler failed', { error })
      }
    })
    ws.on('close', () => {
      sessions.delete(session)
      session.onClose()
    })
    // Oversized frames and protocol violations: ws closes the socket itself (1009 / 1002).
    ws.on('error', (error) => log.debug('websocket error', { error }))
  }

  function snapshot(): GatewaySnapshot {
    let channels = 0
    for (const session of sessions) channels += session.channelCount
    const memory = process.memoryUsage()
    return {
      sockets: sessions.size,
      channels,
      topics: registry.size,
      messages: { in: metrics.messagesIn, out: metrics.messagesOut },
      bytes: { in: metrics.bytesIn, out: metrics.bytesOut },
      broadcasts: metrics.broadcasts,
      drops: metrics.drops,
      authFailures: metrics.authFailures,
      backloggedSockets: metrics.backloggedSockets,
      rateLimitedJoins: metrics.rateLimitedJoins,
      rateLimitedBroadcasts: metrics.rateLimitedBroadcasts,
      refusedConnections: metrics.refusedConnections,
      ingest: ingest.status(),
      process: {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        openFilesLimit: descriptors?.soft ?? null,
      },
    }
  }

  return {
    prefix: REALTIME_PREFIX,
    snapshot,

    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      upgrader.upgrade(req, socket, head).then(
        (accepted) => accepted && attach(accepted),
        (error: unknown) => {
          log.error('websocket upgrade failed', { error })
          socket.destroy()
        },
      )
    },

    async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const url = targetUrl(req.url)
      if (!url) {
        sendJson(res, 400, { message: 'The request target is not a valid URL' })
        return
      }
      const path = url.pathname.slice(REALTIME_PREFIX.length)
      if (path === '/metrics' && req.method === 'GET') {
        const refusal = await metricsAccess.refusal(req, url)
        if (refusal) sendJson(res, refusal.status, { message: refusal.message })
        else sendJson(res, 200, snapshot())
      } else if (broadcastApi.matches(path)) {
        if (req.method === 'OPTIONS') res.writeHead(204, PREFLIGHT).end()
        else await broadcastApi.handle(req, res, url, path)
      } else {
        sendJson(res, 404, { message: 'Not Found' })
      }
    },

    async close(): Promise<void> {
      clock.clearTimeout(sweep)
      for (const session of sessions) session.conn.close(1001, 'server shutting down')
      upgrader.close()
      await ingest.stop()
      await sql.end({ timeout: 2 })
    },
  }
}

/** A committed `realtime.messages` row goes to the topic's subscribers, with `meta.id` like Realtime. */
function publishDatabaseMessage(ctx: GatewayContext, message: DatabaseMessage): void {
  if (message.payload.bytes.length > ctx.options.maxPayloadBytes) {
    ctx.metrics.drops.oversizedPayloads++
    ctx.log.warn('dropped an oversized database broadcast', { topic: message.topic, id: message.id })
    return
  }
  ctx.metrics.broadcasts.database++
  ctx.registry.publish(
    topicKey(message.topic, message.private),
    {
      topic: TOPIC_PREFIX + message.topic,
      event: message.event,
      payload: message.payload,
      meta: `{"id":${JSON.stringify(message.id)}}`,
    },
    { messageId: message.id },
  )
}
