import { isRecord } from './inbound.ts'

/**
 * The `phx_join` payload, read the way Realtime's Join/Config/Broadcast/Presence changesets read it:
 * booleans also accept "true"/"false", unknown keys are ignored, and a field that does not parse falls
 * back to its default (Realtime logs InvalidJoinPayload and joins with the defaults).
 */
export interface JoinPayload {
  readonly broadcastAck: boolean
  readonly broadcastSelf: boolean
  readonly replay: Replay | 'invalid' | null
  readonly presenceEnabled: boolean
  /** Null when the client left it empty: the server then makes one up per channel. */
  readonly presenceKey: string | null
  /** `config.postgres_changes` entries, echoed back with an `id` in the join reply. */
  readonly postgresChanges: readonly Record<string, unknown>[]
  /** `config.postgres_changes_options.wait`: the client holds SUBSCRIBED until Postgres confirms. */
  readonly postgresChangesWait: boolean
  readonly private: boolean
  /** `access_token` (or legacy `user_token`); the socket's token applies when absent. */
  readonly accessToken: string | null
}

export interface Replay {
  readonly since: number
  readonly limit: number
}

/** Realtime's Replay schema: limit defaults to 10, must be 1..25. */
const REPLAY_DEFAULT_LIMIT = 10
const REPLAY_MAX_LIMIT = 25

export function parseJoinPayload(payload: unknown): JoinPayload {
  const params = isRecord(payload) ? payload : {}
  const config = isRecord(params.config) ? params.config : null
  const broadcast = config && isRecord(config.broadcast) ? config.broadcast : {}
  const presence = config && isRecord(config.presence) ? config.presence : null
  const options = config && isRecord(config.postgres_changes_options) ? config.postgres_changes_options : {}
  const changes = config && Array.isArray(config.postgres_changes) ? config.postgres_changes : []
  return {
    broadcastAck: flexibleBoolean(broadcast.ack, false),
    broadcastSelf: flexibleBoolean(broadcast.self, false),
    replay: parseReplay(broadcast.replay),
    // Join.presence_enabled?/1: true unless a presence config says otherwise.
    presenceEnabled: presence ? flexibleBoolean(presence.enabled, false) : true,
    presenceKey: presenceKey(presence?.key),
    postgresChanges: changes.filter(isRecord),
    postgresChangesWait: flexibleBoolean(options.wait, false),
    private: config ? flexibleBoolean(config.private, false) : false,
    accessToken: token(params.access_token) ?? token(params.user_token),
  }
}

function flexibleBoolean(value: unknown, fallback: boolean): boolean {
  if (value === true || value === 'true') return true
  if (value === false || value === 'false') return false
  return fallback
}

function presenceKey(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

function token(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function parseReplay(value: unknown): Replay | 'invalid' | null {
  if (value === undefined || value === null) return null
  if (!isRecord(value)) return 'invalid'
  const since = value.since ?? 0
  const limit = value.limit ?? REPLAY_DEFAULT_LIMIT
  if (!Number.isInteger(since) || !Number.isInteger(limit)) return 'invalid'
  if ((limit as number) < 1 || (limit as number) > REPLAY_MAX_LIMIT) return 'invalid'
  return { since: since as number, limit: limit as number }
}
