import { type Clock, systemClock } from '../../shared/clock.ts'
import { type Env, nonNegativeNumber, readEnv, text } from '../../shared/env.ts'
import type { QueueStorage } from './mutations/queue.ts'
import { DEFAULT_RECONNECT, DEFAULT_RETRY, type RetryPolicy } from './retry.ts'
import type { SharedRealtime } from './realtime-transport.ts'

export interface PlaterClientOptions {
  /** The project URL (`http://127.0.0.1:54321` under `npm start`). Env: PLATER_REALTIME_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_URL. */
  supabaseUrl?: string
  /** The anon (publishable) key. Env: PLATER_REALTIME_ANON_KEY, NEXT_PUBLIC_SUPABASE_ANON_KEY. */
  anonKey?: string
  /** The signed-in user's access token; called for every request and on socket (re)auth. Cache it on your side. */
  accessToken: () => Promise<string | null>
  /**
   * The app's own socket to share: its `SupabaseClient` or `RealtimeClient` (one connection, nothing bundled
   * twice; the app's heartbeat, reconnect and token settings then apply). Default: the client opens its own.
   */
  realtime?: SharedRealtime
  /** A WebSocket constructor for the client's own socket (`ws` on Node 20; browsers and Node 22+ have one). */
  transport?: unknown
  fetch?: typeof fetch
  /** Where unanswered mutations survive a reload (default: `localStorage` where it exists; `null`: nowhere). */
  storage?: QueueStorage | null
  clock?: Clock
  random?: () => number
  /** Channels this client may hold at once (Supabase refuses the 101st per socket). Default 100. */
  maxChannelsPerConnection?: number
  /** Socket heartbeat, ms. Default 25 000 (Supabase's). */
  heartbeatIntervalMs?: number
  /**
   * A socket that answered nothing (no heartbeat reply, join or message) for this long is taken for dead: the
   * status turns `offline` and the socket reconnects. Must exceed `heartbeatIntervalMs`. Default interval + 5 000.
   */
  heartbeatTimeoutMs?: number
  /** How long a released scope keeps its data (and an open scope's view its rows) before it is dropped, ms. Default 60 000. */
  cacheTtlMs?: number
  /** Notification window: changes within it reach listeners as one batch, ms. Default 50. */
  coalesceMs?: number
  /** The longest a change waits in a batch, ms. Default 250. */
  coalesceMaxWaitMs?: number
  /** A scope whose channel is down this long is polled (catch-up over HTTP), ms. Default 5 000. */
  pollAfterMs?: number
  /** Poll interval while polling, ms (grows with backoff while polls fail). Default 2 000. */
  pollIntervalMs?: number
  /** Per-request timeout, ms. Default 10 000. */
  requestTimeoutMs?: number
  /** Socket reconnect and channel rejoin backoff. Default `DEFAULT_RECONNECT` (retry.ts; client/README.md "Options"). */
  reconnect?: RetryPolicy
  /** The retry policy of every request (session, snapshot, catch-up, polling, mutations). Default `DEFAULT_RETRY` (retry.ts; client/README.md "Options"). */
  retry?: RetryPolicy
  /** How long an answered mutation stays pending waiting for its broadcast, ms. Default 5 000. */
  settleTimeoutMs?: number
  /** Share a scope's channel and data among all its handles and keep released ones for `cacheTtlMs`. Default true. */
  pooling?: boolean
}

export type ResolvedOptions =
  & Required<
    Omit<
      PlaterClientOptions,
      'realtime' | 'transport' | 'fetch' | 'storage' | 'clock' | 'random' | 'retry' | 'reconnect'
    >
  >
  & {
    realtime: SharedRealtime | undefined
    retry: Required<RetryPolicy>
    reconnect: Required<RetryPolicy>
    transport: unknown
    fetch: typeof fetch
    storage: QueueStorage | null
    clock: Clock
    random: () => number
  }

/** The process environment where there is one (Node; bundlers for browsers usually have none). */
function environment(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {}
}

function defaultStorage(): QueueStorage | null {
  try {
    return (globalThis as { localStorage?: QueueStorage }).localStorage ?? null
  } catch {
    return null // sandboxed pages throw on access
  }
}

export function resolveOptions(options: PlaterClientOptions, env: Env = environment()): ResolvedOptions {
  const supabaseUrl = options.supabaseUrl ??
    readEnv(env, ['PLATER_REALTIME_SUPABASE_URL', 'NEXT_PUBLIC_SUPABASE_URL'], text)
  const anonKey = options.anonKey ??
    readEnv(env, ['PLATER_REALTIME_ANON_KEY', 'NEXT_PUBLIC_SUPABASE_ANON_KEY'], text)
  if (!supabaseUrl) {
    throw new Error('createPlaterClient: supabaseUrl is required (or PLATER_REALTIME_SUPABASE_URL)')
  }
  if (!anonKey) throw new Error('createPlaterClient: anonKey is required (or PLATER_REALTIME_ANON_KEY)')
  if (typeof options.accessToken !== 'function') {
    throw new Error('createPlaterClient: accessToken must be a function')
  }
  const pooling = options.pooling ??
    readEnv(env, ['PLATER_REALTIME_POOLING', 'NEXT_PUBLIC_REALTIME_CONNECTION_POOLING'], text) !== 'false'
  const heartbeatIntervalMs = options.heartbeatIntervalMs ??
    readEnv(
      env,
      ['PLATER_REALTIME_HEARTBEAT_INTERVAL_MS', 'NEXT_PUBLIC_REALTIME_HEARTBEAT_INTERVAL'],
      nonNegativeNumber,
      25_000,
    )
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ??
    readEnv(env, 'PLATER_REALTIME_HEARTBEAT_TIMEOUT_MS', nonNegativeNumber, heartbeatIntervalMs + 5_000)
  // a heartbeat is sent one interval after the last reply: a shorter watchdog would bark at a healthy socket
  if (heartbeatTimeoutMs <= heartbeatIntervalMs) {
    throw new Error('createPlaterClient: heartbeatTimeoutMs must exceed heartbeatIntervalMs')
  }
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis)
  if (!fetchImpl) throw new Error('createPlaterClient: no fetch available; pass options.fetch')
  return {
    supabaseUrl,
    anonKey,
    accessToken: options.accessToken,
    realtime: options.realtime,
    transport: options.transport,
    fetch: fetchImpl,
    storage: options.storage === undefined ? defaultStorage() : options.storage,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    maxChannelsPerConnection: options.maxChannelsPerConnection ??
      readEnv(
        env,
        ['PLATER_REALTIME_MAX_CHANNELS_PER_CONNECTION', 'NEXT_PUBLIC_REALTIME_MAX_CHANNELS_PER_CONNECTION'],
        nonNegativeNumber,
        100,
      ),
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    cacheTtlMs: options.cacheTtlMs ??
      readEnv(
        env,
        ['PLATER_REALTIME_CACHE_TTL_MS', 'NEXT_PUBLIC_REALTIME_CACHE_TTL'],
        nonNegativeNumber,
        60_000,
      ),
    coalesceMs: options.coalesceMs ??
      readEnv(
        env,
        ['PLATER_REALTIME_COALESCE_MS', 'NEXT_PUBLIC_REALTIME_DEBOUNCE_MS'],
        nonNegativeNumber,
        50,
      ),
    coalesceMaxWaitMs: options.coalesceMaxWaitMs ??
      readEnv(env, 'PLATER_REALTIME_COALESCE_MAX_WAIT_MS', nonNegativeNumber, 250),
    pollAfterMs: options.pollAfterMs ??
      readEnv(env, 'PLATER_REALTIME_POLL_AFTER_MS', nonNegativeNumber, 5_000),
    pollIntervalMs: options.pollIntervalMs ??
      readEnv(env, 'PLATER_REALTIME_POLL_INTERVAL_MS', nonNegativeNumber, 2_000),
    requestTimeoutMs: options.requestTimeoutMs ??
      readEnv(env, 'PLATER_REALTIME_REQUEST_TIMEOUT_MS', nonNegativeNumber, 10_000),
    reconnect: { ...DEFAULT_RECONNECT, ...options.reconnect },
    retry: { ...DEFAULT_RETRY, ...options.retry },
    settleTimeoutMs: options.settleTimeoutMs ?? 5_000,
    pooling,
  }
}
