import { type Env, niceValue, nonNegativeNumber, readEnv, text } from '../../shared/env.ts'

/**
 * Gateway limits. Defaults are Supabase Realtime's server defaults (config/runtime.exs, Tenant), so an app
 * meets the same limits locally as on hosted Supabase; each can be raised with a `PLATER_REALTIME_*`
 * variable (the load harness raises the join rate, for instance).
 */
export interface GatewayOptions {
  /** TENANT_MAX_CHANNELS_PER_CLIENT. */
  readonly maxChannelsPerClient: number
  /**
   * TENANT_MAX_JOINS_PER_SECOND, averaged over a 5 s window like Realtime's rate counter; here the budget of each
   * restaurant (authorized joins of its private topics, tenant.ts), and of each shared pool (anonymous, signed in).
   */
  readonly maxJoinsPerSecond: number
  /**
   * Joins one caller (JWT `sub`, else remote address) may make per second, over the same window. Unless set,
   * half a pool's: raising the pools (as the benchmarks do) raises it with them.
   */
  readonly maxJoinsPerCaller: number
  /** Joins one socket may make per second, over the same window. Unless set, a fifth of a pool's. */
  readonly maxJoinsPerSocket: number
  /** Phoenix transport max_frame_size; larger frames close the socket (1009). */
  readonly maxFrameBytes: number
  /**
   * max_payload_size_in_kb + 500 bytes of envelope, with the Free plan's 256 KB (Realtime's server default is
   * 3000 KB): the largest frame must fit below the slow-consumer threshold (`assertConsistent`).
   */
  readonly maxPayloadBytes: number
  /** A socket with more than this queued but unsent … */
  readonly slowConsumerBytes: number
  /** … for this long without catching up is dropped as a slow consumer. */
  readonly slowConsumerMs: number
  /** Unsent bytes a socket may never exceed (memory bound): it is dropped at once. */
  readonly maxBufferedBytes: number
  /** TENANT_MAX_EVENTS_PER_SECOND: client broadcasts (socket and REST) per restaurant, over the 5 s window. */
  readonly maxEventsPerSecond: number
  /** Client broadcasts one socket (REST: one caller) may send per second. Unless set, a fifth of a tenant's. */
  readonly maxEventsPerSocket: number
  /** Open sockets per remote address; more are refused at upgrade (429). */
  readonly maxConnectionsPerAddress: number
  /** Open sockets per API key that names no user (anon, publishable, service keys). */
  readonly maxConnectionsPerKey: number
  /** Open sockets per user (JWT `sub`), counted at upgrade and at join. */
  readonly maxConnectionsPerUser: number
  /** Longest wait on Postgres in a join (RLS probe, replay): past it the join fails with a retryable reason. */
  readonly dbTimeoutMs: number
  /** Least time between two fan-out flushes (they also pace themselves by their own cost); 0 = none. */
  readonly flushIntervalMs: number
  /** Phoenix's websocket idle timeout: a socket silent this long is closed. */
  readonly idleTimeoutMs: number
  /** CHANNEL_ERROR_BACKOFF_MS: a failed join is answered after this delay. */
  readonly joinErrorBackoffMs: number
  /** CONNECT_ERROR_BACKOFF_MS: a refused upgrade is answered after this delay. */
  readonly connectErrorBackoffMs: number
  /** CLIENT_PRESENCE_MAX_CALLS per CLIENT_PRESENCE_WINDOW_MS. */
  readonly presenceMaxCalls: number
  readonly presenceWindowMs: number
  /** Connections the gateway keeps for authorization probes and replay queries. */
  readonly dbPoolSize: number
  /**
   * How long the database stream (logical replication) may be down before every joined channel is shut and joins
   * are refused (`UnableToConnectToProject`) until it streams again: past it, a screen that still looked live
   * would hear of nothing committed, and a client told so polls instead. A Postgres restart usually fits inside.
   */
  readonly streamDownMs: number
  /** Logical replication slot; two gateways on one database need different names. */
  readonly slotName: string
  /**
   * The scheduling priority (a nice value, -20…19) the gateway gives the thread that runs its event loop, or null to
   * leave it. Every delivery passes through that one thread, while Postgres spreads writes over many backends: on
   * a box they share, a negative value keeps the gateway's turns short when all of them want a core at once
   * (load/README.md, "Capacity"). Below 0 needs root or CAP_SYS_NICE; refused, the gateway says so and runs on.
   */
  readonly eventLoopNice: number | null
}

/** No caller can take more than half a pool's joins, no socket more than a fifth (of joins or of broadcasts). */
const CALLER_SHARE_OF_POOL = 0.5
const SOCKET_SHARE_OF_POOL = 0.2

/** Topic, event, metadata and framing around a payload in the largest frame a subscriber is sent. */
export const FRAME_ENVELOPE_BYTES = 4096

/** Realtime's TENANT_MAX_JOINS_PER_SECOND. */
const JOINS_PER_SECOND = 100

export const DEFAULT_OPTIONS: GatewayOptions = {
  maxChannelsPerClient: 100,
  maxJoinsPerSecond: JOINS_PER_SECOND,
  maxJoinsPerCaller: JOINS_PER_SECOND * CALLER_SHARE_OF_POOL,
  maxJoinsPerSocket: JOINS_PER_SECOND * SOCKET_SHARE_OF_POOL,
  maxFrameBytes: 5_000_000,
  maxPayloadBytes: 256 * 1024 + 500,
  slowConsumerBytes: 1024 * 1024,
  slowConsumerMs: 10_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxEventsPerSecond: 100,
  maxEventsPerSocket: 100 * SOCKET_SHARE_OF_POOL,
  maxConnectionsPerAddress: 500,
  maxConnectionsPerKey: 5000,
  maxConnectionsPerUser: 20,
  dbTimeoutMs: 3000,
  flushIntervalMs: 0,
  idleTimeoutMs: 60_000,
  joinErrorBackoffMs: 5000,
  connectErrorBackoffMs: 2000,
  presenceMaxCalls: 5,
  presenceWindowMs: 30_000,
  dbPoolSize: 8,
  streamDownMs: 10_000,
  slotName: 'plater_realtime_messages',
  eventLoopNice: null,
}

type NumericOption = Exclude<keyof GatewayOptions, 'slotName' | 'eventLoopNice'>

/** The variable that sets each option (the load harness raises some by name: load/bench/limits.ts). */
export const ENV: Record<NumericOption, string> = {
  maxChannelsPerClient: 'PLATER_REALTIME_MAX_CHANNELS_PER_CLIENT',
  maxJoinsPerSecond: 'PLATER_REALTIME_MAX_JOINS_PER_SECOND',
  maxJoinsPerCaller: 'PLATER_REALTIME_MAX_JOINS_PER_CALLER',
  maxJoinsPerSocket: 'PLATER_REALTIME_MAX_JOINS_PER_SOCKET',
  maxFrameBytes: 'PLATER_REALTIME_MAX_FRAME_BYTES',
  maxPayloadBytes: 'PLATER_REALTIME_MAX_PAYLOAD_BYTES',
  slowConsumerBytes: 'PLATER_REALTIME_SLOW_CONSUMER_BYTES',
  slowConsumerMs: 'PLATER_REALTIME_SLOW_CONSUMER_MS',
  maxBufferedBytes: 'PLATER_REALTIME_MAX_BUFFERED_BYTES',
  maxEventsPerSecond: 'PLATER_REALTIME_MAX_EVENTS_PER_SECOND',
  maxEventsPerSocket: 'PLATER_REALTIME_MAX_EVENTS_PER_SOCKET',
  maxConnectionsPerAddress: 'PLATER_REALTIME_MAX_CONNECTIONS_PER_ADDRESS',
  maxConnectionsPerKey: 'PLATER_REALTIME_MAX_CONNECTIONS_PER_KEY',
  maxConnectionsPerUser: 'PLATER_REALTIME_MAX_CONNECTIONS_PER_USER',
  dbTimeoutMs: 'PLATER_REALTIME_DB_TIMEOUT_MS',
  flushIntervalMs: 'PLATER_REALTIME_FLUSH_INTERVAL_MS',
  idleTimeoutMs: 'PLATER_REALTIME_IDLE_TIMEOUT_MS',
  joinErrorBackoffMs: 'PLATER_REALTIME_JOIN_ERROR_BACKOFF_MS',
  connectErrorBackoffMs: 'PLATER_REALTIME_CONNECT_ERROR_BACKOFF_MS',
  presenceMaxCalls: 'PLATER_REALTIME_PRESENCE_MAX_CALLS',
  presenceWindowMs: 'PLATER_REALTIME_PRESENCE_WINDOW_MS',
  dbPoolSize: 'PLATER_REALTIME_DB_POOL_SIZE',
  streamDownMs: 'PLATER_REALTIME_STREAM_DOWN_MS',
}

export function optionsFromEnv(env: Env = process.env): GatewayOptions {
  const numbers: Partial<Record<NumericOption, number>> = {}
  for (const [key, name] of Object.entries(ENV) as [NumericOption, string][]) {
    const number = readEnv(env, name, nonNegativeNumber)
    if (number !== undefined) numbers[key] = number
  }
  const joinsPerSecond = numbers.maxJoinsPerSecond ?? DEFAULT_OPTIONS.maxJoinsPerSecond
  const eventsPerSecond = numbers.maxEventsPerSecond ?? DEFAULT_OPTIONS.maxEventsPerSecond
  return assertConsistent({
    ...DEFAULT_OPTIONS,
    maxJoinsPerCaller: joinsPerSecond * CALLER_SHARE_OF_POOL,
    maxJoinsPerSocket: joinsPerSecond * SOCKET_SHARE_OF_POOL,
    maxEventsPerSocket: eventsPerSecond * SOCKET_SHARE_OF_POOL,
    ...numbers,
    slotName: readEnv(env, 'PLATER_REALTIME_SLOT', text, DEFAULT_OPTIONS.slotName),
    eventLoopNice: readEnv(env, 'PLATER_REALTIME_NICE', niceValue, DEFAULT_OPTIONS.eventLoopNice),
  })
}

/**
 * Refuses settings under which one accepted message could get its subscriber dropped: the largest frame must
 * fit below the slow-consumer threshold, and on top of it below the hard bound, so only a subscriber that stays
 * behind for `slowConsumerMs` is ever dropped, never one for receiving one message.
 */
export function assertConsistent(options: GatewayOptions): GatewayOptions {
  const largestFrame = options.maxPayloadBytes + FRAME_ENVELOPE_BYTES
  if (
    options.slowConsumerBytes < largestFrame ||
    options.maxBufferedBytes < options.slowConsumerBytes + largestFrame
  ) {
    throw new Error(
      `realtime limits: the payload limit (${options.maxPayloadBytes} B) plus ${FRAME_ENVELOPE_BYTES} B of envelope must ` +
        `fit below PLATER_REALTIME_SLOW_CONSUMER_BYTES (${options.slowConsumerBytes}), and that plus one such frame below ` +
        `PLATER_REALTIME_MAX_BUFFERED_BYTES (${options.maxBufferedBytes})`,
    )
  }
  return options
}
