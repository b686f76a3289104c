import type { ConnectionCap } from '../transport/connections.ts'

/**
 * Supabase Realtime's error texts, verbatim, so an app's error handling behaves the same locally and on
 * hosted Supabase. Join errors are `"<Code>: <message>"` (RealtimeChannel.join/3 + log_error);
 * channel shutdowns push a `system` message with the bare message, then `phx_close`.
 */

export const JOIN_REASON = {
  topicNameRequired: 'TopicNameRequired: You must provide a topic name',
  tooManyChannels: 'ChannelRateLimitReached: Too many channels',
  tooManyJoins: 'ClientJoinRateLimitReached: Too many joins per second',
  /** The join's user already has channels on as many sockets as a user may hold (Realtime: tenant users). */
  tooManyUsers: 'ConnectionRateLimitReached: Too many connected users',
  unauthorized: (subTopic: string) =>
    `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
  databaseUnavailable: 'UnableToConnectToProject: Realtime was unable to connect to the project database',
  /** UnableToSetPolicies is logged with its code but replied without one. */
  unableToSetPolicies: 'Realtime was unable to connect to the project database',
  missingPartition: 'MissingPartition: Realtime was unable to find the expected messages partition',
  replayOnPublicChannel: 'UnableToReplayMessages: Replay is not allowed for public channels',
  replayParamsInvalid: 'UnableToReplayMessages: Replay params are not valid',
  replayFailed: 'UnableToReplayMessages: Realtime was unable to replay messages',
  queryCanceled: 'QueryCanceled: Query was cancelled, please try again',
  /** The one reason without a code prefix. */
  unknown: 'Unknown Error on Channel',
} as const

/** Phoenix's own reply for frames on a topic this socket has not joined. */
export const UNMATCHED_TOPIC = 'unmatched topic'

/** Codes Supabase prefixes to JWT failures at join time, keyed by our verifier's failure kind. */
export const JWT_JOIN_CODE = {
  expired: 'InvalidJWTToken',
  claims: 'InvalidJWTToken',
  malformed: 'MalformedJWT',
  signature: 'JwtSignatureError',
  signer: 'JwtSignerError',
} as const

export const SYSTEM_MESSAGE = {
  readRevoked: (subTopic: string) =>
    `You no longer have permission to read from this Channel topic: ${subTopic}`,
  databaseUnavailable: 'Realtime was unable to connect to the project database',
  presenceRateLimited: 'Client presence rate limit exceeded',
  trackTooLarge: 'Track message size exceeded',
  /** TENANT_MAX_EVENTS_PER_SECOND (also ours per socket). */
  tooManyMessages: 'Too many messages per second',
} as const

export const PRESENCE_REASON = { payloadNotMap: 'Presence track payload must be a map' } as const

/** `{error}` of an acked broadcast that was too large. */
export const PAYLOAD_SIZE_EXCEEDED = 'payload_size_exceeded'

const CAP_NAME = { address: 'address', key: 'API key', user: 'user' } as const

/** Realtime's REST answer to a broadcast over the events rate (429). */
export const REST_RATE_LIMITED = 'You have exceeded your rate limit'

/** Bodies of HTTP errors returned instead of the WebSocket upgrade (UserSocket.handle_error). */
export const CONNECT_ERROR = {
  missingApiKey: 'API key is missing',
  /** Realtime's 429 text, and which of our caps was full. */
  tooManyConnections: (cap: ConnectionCap, limit: number) =>
    `Too many connected users: at most ${limit} sockets per ${CAP_NAME[cap]}`,
  unsupportedVsn: (vsn: string) => `Unsupported serializer version: ${vsn}`,
} as const
