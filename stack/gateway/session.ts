import { handleClientBroadcast } from './broadcast.ts'
import { Channel, type ChannelHandlers, type ChannelOwner } from './channel.ts'
import type { GatewayContext } from './context.ts'
import { joinChannel } from './join.ts'
import { RateWindow } from './limits.ts'
import { handlePresence } from './presence-handler.ts'
import { EVENT, PHOENIX_TOPIC, TOPIC_PREFIX } from './protocol/constants.ts'
import { type Inbound, type OutboundMessage, ProtocolError } from './protocol/frames.ts'
import { UNMATCHED_TOPIC } from './protocol/reasons.ts'
import type { Serializer } from './protocol/serializer.ts'
import type { Conn } from './transport/conn.ts'
import { handleAccessToken } from './token.ts'

const HANDLERS: ChannelHandlers = {
  broadcast: handleClientBroadcast,
  presence: handlePresence,
  accessToken: handleAccessToken,
}

/**
 * One WebSocket (Phoenix.Socket): decodes frames, answers heartbeats, routes channel events by topic,
 * and owns the socket's channels. Kept small because an idle socket costs only this and `ws` itself.
 */
export class Session implements ChannelOwner {
  readonly ctx: GatewayContext
  readonly conn: Conn
  readonly serializer: Serializer
  /** The token from `apikey` / `x-api-key`; channels use it when their join carries no access_token. */
  readonly token: string
  readonly headers: Readonly<Record<string, string>>
  /** The caller for the join limits when a join's token has no `sub` (anon key, service key). */
  readonly remoteAddress: string
  /** The user whose connection cap the upgrade counted this socket against (its token's `sub`). */
  readonly #upgradeUser: string | null
  lastSeenAt: number
  #channels: Map<string, Channel> | null = null
  /** This socket's join budget, made at its first join: most sockets join a few channels once. */
  #joins: RateWindow | null = null
  /** This socket's client-broadcast budget, made at its first broadcast. */
  #events: RateWindow | null = null
  /** Users whose connection cap a join counted this socket against; released when it closes. */
  #joinUsers: Set<string> | null = null
  #closed = false

  constructor(
    ctx: GatewayContext,
    conn: Conn,
    serializer: Serializer,
    accepted: {
      token: string
      headers: Readonly<Record<string, string>>
      remoteAddress: string
      user: string | null
    },
  ) {
    this.ctx = ctx
    this.conn = conn
    this.serializer = serializer
    this.token = accepted.token
    this.headers = accepted.headers
    this.remoteAddress = accepted.remoteAddress
    this.#upgradeUser = accepted.user
    this.lastSeenAt = ctx.clock.now()
  }

  get events(): RateWindow {
    return (this.#events ??= new RateWindow(this.ctx.options.maxEventsPerSocket))
  }

  get channelCount(): number {
    return this.#channels?.size ?? 0
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    this.lastSeenAt = this.ctx.clock.now()
    const { metrics } = this.ctx
    metrics.messagesIn++
    metrics.bytesIn += data.length
    let message: Inbound
    try {
      message = this.serializer.decode(data, isBinary)
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error
      this.#malformed(error, data)
      return
    }
    this.#route(message)
  }

  #route(message: Inbound): void {
    if (message.kind === 'message') {
      if (message.topic === PHOENIX_TOPIC && message.event === EVENT.heartbeat) {
        this.#reply(message, 'ok', {})
        return
      }
      if (message.event === EVENT.join) {
        this.#join(message.topic, message.joinRef, message.ref, message.payload)
        return
      }
      if (message.event === EVENT.leave) {
        this.#leave(message)
        return
      }
    }
    const channel = this.#channels?.get(message.topic)
    if (channel) channel.handle(message, HANDLERS)
    else this.#reply(message, 'error', { reason: UNMATCHED_TOPIC })
  }

  #join(topic: string, joinRef: string | null, ref: string | null, payload: unknown): void {
    if (!topic.startsWith(TOPIC_PREFIX)) {
      this.#reply({ joinRef, ref, topic }, 'error', { reason: UNMATCHED_TOPIC })
      return
    }
    // Phoenix answers a second join on a joined topic by closing the old channel first.
    this.#channels?.get(topic)?.close()
    const channel = new Channel(this, topic, topic.slice(TOPIC_PREFIX.length), joinRef)
    const channels = (this.#channels ??= new Map())
    const otherChannels = channels.size
    channels.set(topic, channel)
    channel.mailbox.post(() =>
      joinChannel(channel, {
        ref,
        payload,
        otherChannels,
        socketJoins: this.#joins ??= new RateWindow(this.ctx.options.maxJoinsPerSocket),
        socketToken: this.token,
        remoteAddress: this.remoteAddress,
        holdUser: (sub) => this.#holdUser(sub),
      })
    )
  }

  /** `phx_leave`: ok, then `phx_close`; a leave for a topic never joined gets the ok alone. */
  #leave(message: Inbound): void {
    const channel = this.#channels?.get(message.topic)
    if (!channel) {
      this.#reply(message, 'ok', {})
      return
    }
    channel.mailbox.post(() => {
      channel.reply(message.ref, 'ok', {})
      channel.close()
    })
  }

  #reply(
    to: { joinRef: string | null; ref: string | null; topic: string },
    status: 'ok' | 'error',
    response: unknown,
  ): void {
    this.send({
      joinRef: to.joinRef,
      ref: to.ref,
      topic: to.topic,
      event: EVENT.reply,
      payload: { status, response },
    })
  }

  send(message: OutboundMessage): void {
    this.conn.send(this.serializer.encode(message))
  }

  forget(channel: Channel): void {
    if (this.#channels?.get(channel.topic) === channel) this.#channels.delete(channel.topic)
  }

  /** Shuts every joined channel with a `system` error; supabase-js clients join again and catch up. */
  shutdownChannels(message: string): number {
    let shut = 0
    for (const channel of [...(this.#channels?.values() ?? [])]) {
      if (channel.state !== 'joined') continue
      channel.shutdown(message)
      shut++
    }
    return shut
  }

  /** The socket went away: channels stop without a word (their presence leaves still go out). */
  onClose(): void {
    this.#closed = true
    if (this.#joinUsers) {
      this.ctx.connections.release([...this.#joinUsers].map((key) => ({ cap: 'user' as const, key })))
    }
    if (!this.#channels) return
    for (const channel of [...this.#channels.values()]) channel.detach()
  }

  /**
   * supabase-js connects with the anon key and names its user only in joins, so the per-user cap is also
   * counted here: the first join as a user holds one of that user's places until the socket closes.
   */
  #holdUser(sub: string): boolean {
    if (this.#closed) return false // a join that outlived its socket must not take a place nobody releases
    if (sub === this.#upgradeUser || this.#joinUsers?.has(sub)) return true
    if (this.ctx.connections.take([{ cap: 'user', key: sub }])) {
      this.ctx.metrics.refusedConnections.user++
      return false
    }
    ;(this.#joinUsers ??= new Set()).add(sub)
    return true
  }

  #malformed(error: ProtocolError, data: Buffer): void {
    this.ctx.metrics.drops.malformedFrames++
    this.ctx.malformedFrameWarning.warn({ error: error.message, bytes: data.length })
  }
}
