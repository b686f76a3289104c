import { RealtimeClient, type WebSocketLikeConstructor } from '@supabase/realtime-js'

/**
 * The app's own socket, to share instead of opening a second one: its `SupabaseClient` (whose `realtime` is
 * used) or a `RealtimeClient`. Typed by shape so that apps without supabase-js need none of its types.
 */
export type SharedRealtime = RealtimeClient | { readonly realtime: RealtimeClient }

/**
 * What the link does with a socket: join and leave channels, pass the token, let go, and — to tell a dead
 * connection from a quiet one — ask whether it is open and force realtime-js's own dead-socket reconnect.
 */
export type RealtimeSocket = Pick<
  RealtimeClient,
  | 'channel'
  | 'removeChannel'
  | 'setAuth'
  | 'disconnect'
  | 'isConnected'
  | 'sendHeartbeat'
  | 'pendingHeartbeatRef'
>

/** The socket, and whether the client opened it (an app's shared one outlives the client: it is never disconnected). */
export interface OpenedSocket {
  socket: RealtimeSocket
  own: boolean
}

/** What the link hands the socket it opens. */
export interface SocketHooks {
  /** Delays between reconnects, from the link's backoff. */
  reconnectAfterMs: () => number
  /** Every heartbeat's outcome: an answer proves the connection alive. */
  heartbeat: (status: string) => void
}

export interface RealtimeSocketOptions {
  /** The app's socket; without it the client opens its own. */
  shared: SharedRealtime | undefined
  supabaseUrl: string
  anonKey: string
  accessToken: () => Promise<string | null>
  transport: unknown
  fetch: typeof fetch
  heartbeatIntervalMs: number
  joinTimeoutMs: number
}

/**
 * The socket behind the link. Our own is a bare `RealtimeClient` on `/realtime/v1` (what supabase-js would open,
 * without bundling auth, PostgREST, storage and functions): the user's token on connect and every heartbeat, the
 * anon key when signed out, as supabase-js does, and reconnect delays from the link's backoff. A shared one keeps
 * the app's settings and token; the client hears its heartbeats beside the app, and leaves only its own channels.
 */
export function openRealtimeSocket(options: RealtimeSocketOptions, hooks: SocketHooks): OpenedSocket {
  if (options.shared) {
    const socket = 'realtime' in options.shared ? options.shared.realtime : options.shared
    // the app may listen to heartbeats too: hear them beside it, not instead
    const apps = socket.heartbeatCallback
    socket.onHeartbeat((status, latency) => {
      apps?.(status, latency)
      hooks.heartbeat(status)
    })
    return { socket, own: false }
  }
  const endpoint = new URL('realtime/v1', `${options.supabaseUrl.replace(/\/+$/, '')}/`)
  endpoint.protocol = endpoint.protocol.replace('http', 'ws')
  const socket = new RealtimeClient(endpoint.href, {
    params: { apikey: options.anonKey },
    accessToken: async () => (await options.accessToken()) ?? options.anonKey,
    ...(options.transport ? { transport: options.transport as WebSocketLikeConstructor } : {}),
    fetch: options.fetch,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    timeout: options.joinTimeoutMs,
    reconnectAfterMs: hooks.reconnectAfterMs,
    heartbeatCallback: hooks.heartbeat,
  })
  return { socket, own: true }
}
