import type { RealtimeChannel } from '@supabase/realtime-js'
import type { BackoffOptions } from '../../shared/backoff.ts'
import type { JoinOptions, LinkChannel, LinkHandlers, RealtimeLink } from './link.ts'
import type { OpenedSocket, SocketHooks } from './realtime-transport.ts'
import type { Pause, RetryEngine } from './retry.ts'

export interface RealtimeJsLinkOptions {
  /** Opens the socket (realtime-transport.ts) with the link's reconnect delays and heartbeat listener. */
  socket: (hooks: SocketHooks) => OpenedSocket
  reconnect: BackoffOptions
  retry: RetryEngine
}

/** Join refusals that will not change by retrying (Supabase Realtime's reasons). */
const REFUSED = /^(Unauthorized|TopicNameRequired|UnableToReplayMessages)/
/** The tenant's join budget is spent; Realtime also closes the socket. */
const RATE_LIMITED = /ClientJoinRateLimitReached|ConnectionRateLimitReached/

/** One joined topic, kept across the channels that carry it. */
interface Subscription {
  topic: string
  handlers: LinkHandlers
  options: JoinOptions
  channel: RealtimeChannel | null
  joined: boolean
  left: boolean
  tracked: Record<string, unknown> | null
  /** Waiting to re-create a channel the server closed. */
  waiting: Pause | null
}

/**
 * One socket for the whole client, on the official realtime client: private channels, the token from a callback
 * (realtime-js passes it on connect and every heartbeat; `refreshAuth()` pushes a new one at once), and
 * reconnects on full-jitter backoff that grows further when the server says its join budget is spent.
 * A channel the server closes (its token expired, the gateway shut it) is one realtime-js forgets: it is made
 * again here, with the current token, after the retry engine's backoff or at once on `refreshAuth()`.
 */
export function realtimeJsLink(options: RealtimeJsLinkOptions): RealtimeLink {
  const backoff = options.retry.backoff(options.reconnect)
  const rejoin = options.retry.backoff(options.reconnect)
  const subscriptions = new Set<Subscription>()
  const alive = new Set<() => void>()
  const signAlive = () => {
    for (const listener of [...alive]) listener()
  }
  const { socket, own } = options.socket({
    reconnectAfterMs: () => backoff.next(),
    heartbeat: (status) => {
      if (status === 'ok' || status === 'error') signAlive() // 'error' is still an answer
    },
  })
  // The first join must carry the user's token: realtime-js puts in phx_join only the token it already holds when
  // subscribe() runs, and sends no access_token push afterwards, so a join made before setAuth() resolved is anonymous.
  const authReady = socket.setAuth().catch(() => {})

  function subscribe(sub: Subscription): void {
    const presence = sub.options.presenceKey === undefined
      ? {}
      : { presence: { key: sub.options.presenceKey, enabled: true } }
    const channel = socket.channel(sub.topic, { config: { private: true, ...presence } })
    sub.channel = channel
    const current = () => !sub.left && sub.channel === channel
    channel.on('broadcast', { event: '*' }, (message: { event: string; payload: unknown }) => {
      if (!current()) return
      signAlive()
      sub.handlers.message(message.event, message.payload)
    })
    if (sub.options.presenceKey !== undefined) {
      channel.on('presence', { event: 'sync' }, () => {
        if (current()) {
          sub.handlers.presence?.(channel.presenceState() as Record<string, Record<string, unknown>[]>)
        }
      })
    }
    channel.subscribe((status, error) => {
      if (!current()) return
      if (status === 'SUBSCRIBED') {
        sub.joined = true
        signAlive()
        // every channel is back: the next outage starts its backoff from the beginning again
        if ([...subscriptions].every((s) => s.joined)) {
          backoff.reset()
          rejoin.reset()
        }
        // presence does not outlive a connection: say it again
        if (sub.tracked) void channel.track(sub.tracked)
        sub.handlers.status('joined')
        return
      }
      sub.joined = false
      const reason = error?.message ?? status
      if (REFUSED.test(reason)) {
        drop(sub)
        sub.left = true
        subscriptions.delete(sub)
        sub.handlers.status('refused', reason)
        return
      }
      if (RATE_LIMITED.test(reason)) backoff.penalize(2)
      // realtime-js rejoins errored channels by itself, but forgets closed ones: make a new one later
      if (status === 'CLOSED') resubscribeLater(sub)
      sub.handlers.status('down', reason)
    })
  }

  function drop(sub: Subscription): void {
    const channel = sub.channel
    sub.channel = null
    sub.joined = false
    if (channel) void socket.removeChannel(channel)
  }

  function resubscribeLater(sub: Subscription): void {
    drop(sub)
    if (sub.waiting) return
    const waiting = options.retry.pause(rejoin.next())
    sub.waiting = waiting
    void waiting.then(() => resubscribe(sub))
  }

  /** A new channel for a topic the server closed, with the token the app holds now. */
  async function resubscribe(sub: Subscription): Promise<void> {
    sub.waiting = null
    if (sub.left || sub.channel) return
    await socket.setAuth().catch(() => {})
    if (!sub.left && !sub.channel) subscribe(sub)
  }

  return {
    join(topic: string, handlers: LinkHandlers, joinOptions: JoinOptions = {}): LinkChannel {
      const sub: Subscription = {
        topic,
        handlers,
        options: joinOptions,
        channel: null,
        joined: false,
        left: false,
        tracked: null,
        waiting: null,
      }
      subscriptions.add(sub)
      void authReady.then(() => {
        if (!sub.left) subscribe(sub)
      })
      return {
        leave() {
          if (sub.left) return
          sub.left = true
          subscriptions.delete(sub)
          sub.waiting?.wake()
          drop(sub)
        },
        async send(event, payload) {
          if (!sub.channel) throw new Error(`broadcast on ${topic}: not joined`)
          const answer = await sub.channel.send({ type: 'broadcast', event, payload })
          if (answer !== 'ok') throw new Error(`broadcast on ${topic}: ${answer}`)
        },
        async track(meta) {
          sub.tracked = meta
          if (!sub.joined || !sub.channel) return // sent on join
          const answer = meta ? await sub.channel.track(meta) : await sub.channel.untrack()
          if (answer !== 'ok') throw new Error(`presence on ${topic}: ${answer}`)
        },
      }
    },
    async refreshAuth() {
      await socket.setAuth()
      // a valid token exists now: whatever the server shut out for an old one joins again at once, instead of
      // waiting out realtime-js's rejoin backoff with the old token in its join payload
      for (const sub of subscriptions) {
        if (sub.joined || sub.left) continue
        if (sub.waiting) sub.waiting.wake()
        else if (sub.channel) {
          drop(sub)
          subscribe(sub)
        }
      }
    },
    onAlive(listener) {
      alive.add(listener)
      return () => alive.delete(listener)
    },
    get open() {
      return socket.isConnected()
    },
    reconnect() {
      // realtime-js's own dead-socket path: a heartbeat sent while one is unanswered tears the socket down,
      // errors its channels (they rejoin) and schedules a reconnect
      if (!socket.pendingHeartbeatRef) void socket.sendHeartbeat()
      void socket.sendHeartbeat()
    },
    async close() {
      const channels = [...subscriptions].map((sub) => {
        sub.left = true
        sub.waiting?.wake()
        return sub.channel
      })
      subscriptions.clear()
      await Promise.all(channels.map((channel) => channel && socket.removeChannel(channel)))
      // an app's shared socket outlives this client
      if (own) await socket.disconnect()
    },
  }
}
