/**
 * Counters the gateway keeps while it runs; `GET /realtime/v1/metrics` serves them with the live gauges
 * (docs/architecture.md, "Realtime gateway"). Plain fields, incremented in place: this is on the hot path.
 */
export class GatewayMetrics {
  /** Frames received from clients, and their bytes. */
  messagesIn = 0
  bytesIn = 0
  /** Frames written to clients, and their bytes (without WebSocket framing). */
  messagesOut = 0
  bytesOut = 0
  /** User broadcasts accepted for fan-out, by origin. */
  readonly broadcasts = { client: 0, http: 0, database: 0 }
  /** Now: sockets more than slowConsumerBytes behind, within their window to catch up (transport/conn.ts). */
  backloggedSockets = 0
  readonly drops = {
    /** Sockets disconnected for staying behind (slowConsumerBytes for slowConsumerMs) or passing maxBufferedBytes. */
    slowConsumers: 0,
    /** Client frames that did not decode. */
    malformedFrames: 0,
    /** Broadcasts over maxPayloadBytes (client, HTTP or database). */
    oversizedPayloads: 0,
    /** Client and HTTP broadcasts on private topics that RLS did not allow. */
    unauthorizedWrites: 0,
    /** Deliveries a subscriber's serializer cannot carry (binary payloads to vsn 1.0.0). */
    unencodable: 0,
  }
  /** Joins refused with ClientJoinRateLimitReached, by the budget they did not fit (limits.ts). */
  readonly rateLimitedJoins = { socket: 0, caller: 0, tenant: 0 }
  /** Client broadcasts refused with "Too many messages per second" (socket: REST callers too). */
  readonly rateLimitedBroadcasts = { socket: 0, tenant: 0 }
  /** Upgrades refused at a connection cap (connections.ts). */
  readonly refusedConnections = { address: 0, key: 0, user: 0 }
  readonly authFailures = {
    /** Upgrades refused (missing or bad token). */
    connect: 0,
    /** Joins refused for JWT or RLS reasons. */
    join: 0,
    /** Channels closed by an access_token refresh or token expiry. */
    refresh: 0,
  }
}
