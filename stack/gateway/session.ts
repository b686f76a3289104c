import { handleClientBroadcast } from './broadcast.ts';
import { Channel, type ChannelHandlers, type ChannelOwner } from './channel.ts';
import type { GatewayContext } from './context.ts';
import { joinChannel } from './join.ts';
import { JoinRateWindow } from './limits.ts';
import { handlePresence } from './presence-handler.ts';
import { EVENT, PHOENIX_TOPIC, TOPIC_PREFIX } from './protocol/constants.ts';
import { ProtocolError, type Inbound, type OutboundMessage } from './protocol/frames.ts';
import { UNMATCHED_TOPIC } from './protocol/reasons.ts';
import type { Serializer } from './protocol/serializer.ts';
import type { Conn } from './transport/conn.ts';
import { handleAccessToken } from './token.ts';

const HANDLERS: ChannelHandlers = {
  broadcast: handleClientBroadcast,
  presence: handlePresence,
  accessToken: handleAccessToken,
};

/** WebSocket close code for a socket the server disconnects on purpose (Realtime's "disconnect"). */
const CLOSE_NORMAL = 1000;

/**
 * One WebSocket (Phoenix.Socket): decodes frames, answers heartbeats, routes channel events by topic,
 * and owns the socket's channels. Kept small because an idle socket costs only this and `ws` itself.
 */
export class Session implements ChannelOwner {
  readonly ctx: GatewayContext;
  readonly conn: Conn;
  readonly serializer: Serializer;
  /** The token from `apikey` / `x-api-key`; channels use it when their join carries no access_token. */
  readonly token: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The caller for the join limits when a join's token has no `sub` (anon key, service key). */
  readonly remoteAddress: string;
  lastSeenAt = Date.now();
  #channels: Map<string, Channel> | null = null;
  /** This socket's join budget, made at its first join: most sockets join a few channels once. */
  #joins: JoinRateWindow | null = null;

  constructor(
    ctx: GatewayContext,
    conn: Conn,
    serializer: Serializer,
    token: string,
    headers: Readonly<Record<string, string>>,
    remoteAddress: string,
  ) {
    this.ctx = ctx;
    this.conn = conn;
    this.serializer = serializer;
    this.token = token;
    this.headers = headers;
    this.remoteAddress = remoteAddress;
  }

  get channelCount(): number {
    return this.#channels?.size ?? 0;
  }

  onFrame(data: Buffer, isBinary: boolean): void {
    this.lastSeenAt = Date.now();
    const { metrics } = this.ctx;
    metrics.messagesIn++;
    metrics.bytesIn += data.length;
    let message: Inbound;
    try {
      message = this.serializer.decode(data, isBinary);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#malformed(error, data);
      return;
    }
    this.#route(message);
  }

  #route(message: Inbound): void {
    if (message.kind === 'message') {
      if (message.topic === PHOENIX_TOPIC && message.event === EVENT.heartbeat) {
        this.#reply(message, 'ok', {});
        return;
      }
      if (message.event === EVENT.join) {
        this.#join(message.topic, message.joinRef, message.ref, message.payload);
        return;
      }
      if (message.event === EVENT.leave) {
        this.#leave(message);
        return;
      }
    }
    const channel = this.#channels?.get(message.topic);
    if (channel) channel.handle(message, HANDLERS);
    else this.#reply(message, 'error', { reason: UNMATCHED_TOPIC });
  }

  #join(topic: string, joinRef: string | null, ref: string | null, payload: unknown): void {
    if (!topic.startsWith(TOPIC_PREFIX)) {
      this.#reply({ joinRef, ref, topic }, 'error', { reason: UNMATCHED_TOPIC });
      return;
    }
    // Phoenix answers a second join on a joined topic by closing the old channel first.
    this.#channels?.get(topic)?.close();
    const channel = new Channel(this, topic, topic.slice(TOPIC_PREFIX.length), joinRef);
    const channels = (this.#channels ??= new Map());
    const otherChannels = channels.size;
    channels.set(topic, channel);
    channel.mailbox.post(() =>
      joinChannel(channel, {
        ref,
        payload,
        otherChannels,
        socketJoins: (this.#joins ??= new JoinRateWindow(this.ctx.options.maxJoinsPerSocket)),
        socketToken: this.token,
        remoteAddress: this.remoteAddress,
        disconnectSocket: () => this.disconnect(),
      }),
    );
  }

  /** `phx_leave`: ok, then `phx_close`; a leave for a topic never joined gets the ok alone. */
  #leave(message: Inbound): void {
    const channel = this.#channels?.get(message.topic);
    if (!channel) {
      this.#reply(message, 'ok', {});
      return;
    }
    channel.mailbox.post(() => {
      channel.reply(message.ref, 'ok', {});
      channel.close();
    });
  }

  #reply(
    to: { joinRef: string | null; ref: string | null; topic: string },
    status: 'ok' | 'error',
    response: unknown,
  ): void {
    this.send({ joinRef: to.joinRef, ref: to.ref, topic: to.topic, event: EVENT.reply, payload: { status, response } });
  }

  send(message: OutboundMessage): void {
    this.conn.send(this.serializer.encode(message));
  }

  forget(channel: Channel): void {
    if (this.#channels?.get(channel.topic) === channel) this.#channels.delete(channel.topic);
  }

  /** The socket went away: channels stop without a word (their presence leaves still go out). */
  onClose(): void {
    if (!this.#channels) return;
    for (const channel of [...this.#channels.values()]) channel.detach();
  }

  disconnect(): void {
    this.conn.close(CLOSE_NORMAL, 'disconnect');
  }

  #malformed(error: ProtocolError, data: Buffer): void {
    this.ctx.metrics.drops.malformedFrames++;
    this.ctx.malformedFrameWarning.warn({ error: error.message, bytes: data.length });
  }
}
