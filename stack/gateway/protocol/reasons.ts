/**
 * Supabase Realtime's error texts, verbatim, so an app's error handling behaves the same locally and on
 * hosted Supabase. Join errors are `"<Code>: <message>"` (RealtimeChannel.join/3 + log_error);
 * channel shutdowns push a `system` message with the bare message, then `phx_close`.
 */

export const JOIN_REASON = {
  topicNameRequired: 'TopicNameRequired: You must provide a topic name',
  tooManyChannels: 'ChannelRateLimitReached: Too many channels',
  tooManyJoins: 'ClientJoinRateLimitReached: Too many joins per second',
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
} as const;

/** Phoenix's own reply for frames on a topic this socket has not joined. */
export const UNMATCHED_TOPIC = 'unmatched topic';

/** Codes Supabase prefixes to JWT failures at join time, keyed by our verifier's failure kind. */
export const JWT_JOIN_CODE = {
  expired: 'InvalidJWTToken',
  claims: 'InvalidJWTToken',
  malformed: 'MalformedJWT',
  signature: 'JwtSignatureError',
  signer: 'JwtSignerError',
} as const;

export const SYSTEM_MESSAGE = {
  readRevoked: (subTopic: string) => `You no longer have permission to read from this Channel topic: ${subTopic}`,
  databaseUnavailable: 'Realtime was unable to connect to the project database',
  presenceRateLimited: 'Client presence rate limit exceeded',
  trackTooLarge: 'Track message size exceeded',
} as const;

export const PRESENCE_REASON = { payloadNotMap: 'Presence track payload must be a map' } as const;

/** `{error}` of an acked broadcast that was too large. */
export const PAYLOAD_SIZE_EXCEEDED = 'payload_size_exceeded';

/** Bodies of HTTP errors returned instead of the WebSocket upgrade (UserSocket.handle_error). */
export const CONNECT_ERROR = {
  missingApiKey: 'API key is missing',
  unsupportedVsn: (vsn: string) => `Unsupported serializer version: ${vsn}`,
} as const;
