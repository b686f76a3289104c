import { Backoff, type BackoffOptions } from './backoff.ts';
import type { JoinOptions, LinkChannel, LinkHandlers, RealtimeLink } from './link.ts';
import type { RealtimeSocket } from './realtime-transport.ts';

export interface SupabaseLinkOptions {
  /** Opens the socket (realtime-transport.ts), its reconnect delays from the link's backoff. */
  socket: (reconnectAfterMs: () => number) => RealtimeSocket;
  reconnect: BackoffOptions;
  random: () => number;
}

/** Join refusals that will not change by retrying (Supabase Realtime's reasons). */
const REFUSED = /^(Unauthorized|TopicNameRequired|UnableToReplayMessages)/;
/** The tenant's join budget is spent; Realtime also closes the socket. */
const RATE_LIMITED = /ClientJoinRateLimitReached|ConnectionRateLimitReached/;

/**
 * One socket for the whole client, on the official realtime client: private channels, the token from a callback
 * (realtime-js passes it on connect and every heartbeat; `refreshAuth()` pushes a new one at once), and
 * reconnects on full-jitter backoff that grows further when the server says its join budget is spent.
 */
export function supabaseLink(options: SupabaseLinkOptions): RealtimeLink {
  const backoff = new Backoff(options.reconnect, options.random);
  const joined = new Set<string>();
  const channels = new Set<string>();
  const socket = options.socket(() => backoff.next());
  // The first join must carry the user's token (platform.md §6: without this the join goes out anonymous).
  const authReady = socket.setAuth().catch(() => {});

  return {
    join(topic: string, handlers: LinkHandlers, options: JoinOptions = {}): LinkChannel {
      let left = false;
      let tracked: Record<string, unknown> | null = null;
      channels.add(topic);
      const presence = options.presenceKey === undefined ? {} : { presence: { key: options.presenceKey, enabled: true } };
      const channel = socket.channel(topic, { config: { private: true, ...presence } });
      channel.on('broadcast', { event: '*' }, (message: { event: string; payload: unknown }) => {
        if (!left) handlers.message(message.event, message.payload);
      });
      if (options.presenceKey !== undefined) {
        channel.on('presence', { event: 'sync' }, () => {
          if (!left) handlers.presence?.(channel.presenceState() as Record<string, Record<string, unknown>[]>);
        });
      }
      void authReady.then(() => {
        if (left) return;
        channel.subscribe((status, error) => {
          if (left) return;
          if (status === 'SUBSCRIBED') {
            joined.add(topic);
            // every channel is back: the next outage starts its backoff from the beginning again
            if (joined.size === channels.size) backoff.reset();
            // presence does not outlive a connection: say it again
            if (tracked) void channel.track(tracked);
            handlers.status('joined');
            return;
          }
          joined.delete(topic);
          const reason = error?.message ?? status;
          if (REFUSED.test(reason)) {
            left = true;
            channels.delete(topic);
            void socket.removeChannel(channel);
            handlers.status('refused', reason);
            return;
          }
          if (RATE_LIMITED.test(reason)) backoff.penalize(2);
          handlers.status('down', reason);
        });
      });
      return {
        leave() {
          if (left) return;
          left = true;
          channels.delete(topic);
          joined.delete(topic);
          void socket.removeChannel(channel);
        },
        async send(event, payload) {
          const answer = await channel.send({ type: 'broadcast', event, payload });
          if (answer !== 'ok') throw new Error(`broadcast on ${topic}: ${answer}`);
        },
        async track(meta) {
          tracked = meta;
          if (!joined.has(topic)) return; // sent on join
          const answer = meta ? await channel.track(meta) : await channel.untrack();
          if (answer !== 'ok') throw new Error(`presence on ${topic}: ${answer}`);
        },
      };
    },
    async refreshAuth() {
      await socket.setAuth();
    },
    async close() {
      await socket.removeAllChannels();
      await socket.disconnect();
    },
  };
}
