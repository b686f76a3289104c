import { type RealtimeChannel, RealtimeClient, type WebSocketLikeConstructor } from '@supabase/realtime-js';

/**
 * The app's own socket, to share instead of opening a second one: its `SupabaseClient` (whose `realtime` is
 * used) or a `RealtimeClient`. Typed by shape so that apps without supabase-js need none of its types.
 */
export type SharedRealtime = RealtimeClient | { readonly realtime: RealtimeClient };

/**
 * What the link does with a socket: join and leave channels, pass the token, let go, and — to tell a dead
 * connection from a quiet one — ask whether it is open and force realtime-js's own dead-socket reconnect.
 */
export type RealtimeSocket = Pick<
  RealtimeClient,
  'channel' | 'removeChannel' | 'removeAllChannels' | 'setAuth' | 'disconnect' | 'isConnected' | 'sendHeartbeat' | 'pendingHeartbeatRef'
>;

/** What the link hands the socket it opens. */
export interface SocketHooks {
  /** Delays between reconnects, from the link's backoff. */
  reconnectAfterMs: () => number;
  /** Every heartbeat's outcome: an answer proves the connection alive. */
  heartbeat: (status: string) => void;
}

export interface RealtimeSocketOptions {
  /** The app's socket; without it the client opens its own. */
  shared: SharedRealtime | undefined;
  supabaseUrl: string;
  anonKey: string;
  accessToken: () => Promise<string | null>;
  transport: unknown;
  fetch: typeof fetch;
  heartbeatIntervalMs: number;
  joinTimeoutMs: number;
}

/**
 * The socket behind the link. Our own is a bare `RealtimeClient` on `/realtime/v1` (what supabase-js would open,
 * without bundling auth, PostgREST, storage and functions): the user's token on connect and every heartbeat, the
 * anon key when signed out, as supabase-js does, and reconnect delays from the link's backoff. A shared one keeps
 * the app's settings and token; closing the client leaves only its own channels and never disconnects it.
 */
export function openRealtimeSocket(options: RealtimeSocketOptions, hooks: SocketHooks): RealtimeSocket {
  if (options.shared) return shareSocket('realtime' in options.shared ? options.shared.realtime : options.shared, hooks);
  const endpoint = new URL('realtime/v1', `${options.supabaseUrl.replace(/\/+$/, '')}/`);
  endpoint.protocol = endpoint.protocol.replace('http', 'ws');
  return new RealtimeClient(endpoint.href, {
    params: { apikey: options.anonKey },
    accessToken: async () => (await options.accessToken()) ?? options.anonKey,
    ...(options.transport ? { transport: options.transport as WebSocketLikeConstructor } : {}),
    fetch: options.fetch,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    timeout: options.joinTimeoutMs,
    reconnectAfterMs: hooks.reconnectAfterMs,
    heartbeatCallback: hooks.heartbeat,
  });
}

function shareSocket(socket: RealtimeClient, hooks: SocketHooks): RealtimeSocket {
  const ours = new Set<RealtimeChannel>();
  // the app may listen to heartbeats too: hear them beside it, not instead
  const apps = socket.heartbeatCallback;
  socket.onHeartbeat((status, latency) => {
    apps?.(status, latency);
    hooks.heartbeat(status);
  });
  return {
    channel(topic, params) {
      const channel = socket.channel(topic, params);
      ours.add(channel);
      return channel;
    },
    removeChannel(channel) {
      ours.delete(channel);
      return socket.removeChannel(channel);
    },
    async removeAllChannels() {
      const channels = [...ours];
      ours.clear();
      return Promise.all(channels.map((channel) => socket.removeChannel(channel)));
    },
    setAuth: (token) => socket.setAuth(token),
    isConnected: () => socket.isConnected(),
    sendHeartbeat: () => socket.sendHeartbeat(),
    get pendingHeartbeatRef() {
      return socket.pendingHeartbeatRef;
    },
    // the app's connection: it outlives this client
    disconnect: async () => 'ok',
  };
}
