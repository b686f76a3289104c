import type { Claims } from './auth/jwt.ts'
import type { AuthContext, Permissions } from './auth/policies.ts'
import type { GatewayContext } from './context.ts'
import { PresenceCallLimiter, type RateWindow } from './limits.ts'
import { Mailbox } from './mailbox.ts'
import { EVENT } from './protocol/constants.ts'
import type { Inbound, OutboundMessage } from './protocol/frames.ts'
import { UNMATCHED_TOPIC } from './protocol/reasons.ts'
import type { Serializer } from './protocol/serializer.ts'
import { type Subscriber, type Topic, topicKey } from './registry.ts'
import type { Conn } from './transport/conn.ts'

/** What a channel needs from the socket that owns it. */
export interface ChannelOwner {
  readonly ctx: GatewayContext
  readonly conn: Conn
  readonly serializer: Serializer
  /** `x-*` upgrade headers, for `request.headers` in RLS policies. */
  readonly headers: Readonly<Record<string, string>>
  /** The socket's client-broadcast budget. */
  readonly events: RateWindow
  send(message: OutboundMessage): void
  forget(channel: Channel): void
}

export type ChannelState = 'joining' | 'joined' | 'closed'

/** Handlers for the events a joined channel accepts; see broadcast.ts, presence-handler.ts, token.ts. */
export interface ChannelHandlers {
  broadcast(channel: Channel, message: Extract<Inbound, { kind: 'broadcast' }>): unknown
  presence(channel: Channel, ref: string | null, payload: unknown): unknown
  accessToken(channel: Channel, payload: unknown): unknown
}

/**
 * One joined topic on one socket (Realtime's channel process): its join config, the caller's claims,
 * the cached RLS answers, and its place in the topic registry. Handlers run through the mailbox, so they
 * see the channel as the previous handler left it.
 */
export class Channel implements Subscriber {
  readonly owner: ChannelOwner
  readonly topic: string
  readonly subTopic: string
  readonly joinRef: string | null
  readonly mailbox: Mailbox
  state: ChannelState = 'joining'

  isPrivate = false
  ackBroadcast = false
  selfBroadcast = false
  presenceEnabled = false
  presenceKey = ''
  token = ''
  claims: Claims | null = null
  /** RLS read answers; null on public channels, which skip RLS. */
  read: Permissions | null = null
  /** RLS write answers, probed on the first send or track and forgotten when the token changes. */
  write: Permissions | null = null
  replayedIds: ReadonlySet<string> | null = null
  #presenceCalls: PresenceCallLimiter | null = null

  #topic: Topic | null = null
  #cancelExpiry: (() => void) | null = null

  constructor(owner: ChannelOwner, topic: string, subTopic: string, joinRef: string | null) {
    this.owner = owner
    this.topic = topic
    this.subTopic = subTopic
    this.joinRef = joinRef
    this.mailbox = new Mailbox((error) => owner.ctx.log.error('channel handler failed', { topic, error }))
  }

  get conn(): Conn {
    return this.owner.conn
  }

  get serializer(): Serializer {
    return this.owner.serializer
  }

  get canReadBroadcast(): boolean {
    return this.read === null || this.read.broadcast
  }

  get canReadPresence(): boolean {
    return this.read === null || this.read.presence
  }

  replayed(messageId: string): boolean {
    return this.replayedIds?.has(messageId) ?? false
  }

  /** Created on the first presence call: most channels never make one, and idle channels must stay small. */
  get presenceCalls(): PresenceCallLimiter {
    return (this.#presenceCalls ??= new PresenceCallLimiter())
  }

  get registryTopic(): Topic | null {
    return this.#topic
  }

  authContext(claims: Claims): AuthContext {
    return { subTopic: this.subTopic, claims, headers: this.owner.headers }
  }

  /** Queue an inbound message behind whatever this channel is still doing (e.g. its join). */
  handle(message: Inbound, handlers: ChannelHandlers): void {
    this.mailbox.post(() => {
      if (this.state !== 'joined') return this.reply(message.ref, 'error', { reason: UNMATCHED_TOPIC })
      if (message.kind === 'broadcast') return handlers.broadcast(this, message)
      if (message.event === EVENT.presence) return handlers.presence(this, message.ref, message.payload)
      if (message.event === EVENT.accessToken) return handlers.accessToken(this, message.payload)
      // Realtime logs unexpected events at info level and does not answer them.
      this.owner.ctx.log.debug('unexpected message from client', { topic: this.topic, event: message.event })
      return undefined
    })
  }

  /** The join succeeded: start receiving the topic's broadcasts. */
  activate(): Topic {
    this.state = 'joined'
    this.#topic = this.owner.ctx.registry.subscribe(topicKey(this.subTopic, this.isPrivate), this)
    return this.#topic
  }

  push(event: string, payload: unknown): void {
    this.owner.send({ joinRef: this.joinRef, ref: null, topic: this.topic, event, payload })
  }

  reply(ref: string | null, status: 'ok' | 'error', response: unknown): void {
    this.owner.send({
      joinRef: this.joinRef,
      ref,
      topic: this.topic,
      event: EVENT.reply,
      payload: { status, response },
    })
  }

  /**
   * Re-check the token when it expires (Realtime's :confirm_token timer). Capped at an hour, like
   * Realtime, so a far-future `exp` is still re-checked now and then.
   */
  scheduleExpiry(onExpiry: (channel: Channel) => void): void {
    this.#cancelExpiry?.()
    const exp = this.claims?.exp
    if (exp === undefined) return
    const { clock } = this.owner.ctx
    const delay = Math.min(Math.max(exp * 1000 - clock.now(), 0), 3_600_000)
    const timer = clock.setTimeout(() => this.mailbox.post(() => onExpiry(this)), delay)
    this.#cancelExpiry = () => clock.clearTimeout(timer)
  }

  /** Realtime's shutdown_response: a `system` error the client can show, then `phx_close`. */
  shutdown(message: string): void {
    this.warn(message)
    this.close()
  }

  /** A `system` error the channel survives (`.on('system', …)` in supabase-js). */
  warn(message: string): void {
    this.push(EVENT.system, { extension: 'system', status: 'error', message, channel: this.subTopic })
  }

  /** Leave or shutdown: `phx_close` (ref = join_ref, as Phoenix sends it), then let go of everything. */
  close(): void {
    if (this.state === 'closed') return
    this.owner.send({
      joinRef: this.joinRef,
      ref: this.joinRef,
      topic: this.topic,
      event: EVENT.close,
      payload: {},
    })
    this.detach()
  }

  /** Drop the channel without telling the client (its socket is gone, or its join failed). */
  detach(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.#cancelExpiry?.()
    const topic = this.#topic
    if (topic) {
      // Unsubscribe first: like a stopped channel process, this channel gets no diff of its own leave.
      this.owner.ctx.registry.unsubscribe(topic, this)
      const diff = topic.untrack(this)
      if (diff) this.owner.ctx.registry.pushPresenceDiff(topic, this.topic, diff)
    }
    this.owner.forget(this)
  }
}
