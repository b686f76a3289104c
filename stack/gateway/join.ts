import { randomUUID } from 'node:crypto'
import { sleep } from '../../shared/clock.ts'
import type { JwtResult } from './auth/jwt.ts'
import { ProbeError, type ProbeFailureKind } from './auth/policies.ts'
import type { Channel } from './channel.ts'
import { DeadlineExceeded } from './deadline.ts'
import type { GatewayContext } from './context.ts'
import { callerKey, type RateLimit, type RateWindow } from './limits.ts'
import { EVENT } from './protocol/constants.ts'
import { type JoinPayload, parseJoinPayload } from './protocol/join-payload.ts'
import { JOIN_REASON, JWT_JOIN_CODE } from './protocol/reasons.ts'
import type { ReplayedMessage } from './replay.ts'
import { restaurantOf, SHARED_TENANT } from './tenant.ts'
import { confirmToken } from './token.ts'

/**
 * `phx_join` as a pipeline of guards in Realtime's order (RealtimeChannel.join/3): topic name → channels
 * per socket → join rate (socket) → the database stream (ours: down past `streamDownMs`) → JWT → join rate
 * (caller, tenant) → sockets per user → RLS read (private channels) → replay → Postgres Changes. The first
 * failing guard's reason is the error reply, sent after Realtime's CHANNEL_ERROR_BACKOFF_MS (rate-limit refusals
 * and an unreachable database at once). A refusal answers this join only: the socket and its other channels stay
 * (Realtime disconnects on a join-rate refusal, which closed a console's every channel for one scope too many).
 */

/** Realtime rejects `postgres_changes` subscriptions it cannot serve with this code. */
const POSTGRES_CHANGES_UNSUPPORTED =
  'RealtimeDisabledForConfiguration: Postgres Changes are not available on the Plater local stack; ' +
  'publish with Broadcast from Database (realtime.send / realtime.broadcast_changes) instead'

class JoinRefused {
  constructor(
    readonly reason: string,
    /** Counted as an authorization failure in the metrics (bad JWT, RLS said no). */
    readonly auth = false,
    /**
     * Answered without the backoff: a flooder that leaves and rejoins within it would never hear a delayed
     * refusal, and a join the database could not answer in time must fail within the client's patience.
     */
    readonly immediate = false,
  ) {}
}

export interface JoinRequest {
  readonly ref: string | null
  readonly payload: unknown
  /** Channels this socket already has, not counting this one. */
  readonly otherChannels: number
  /** The socket's own join budget. */
  readonly socketJoins: RateWindow
  /** The token the socket connected with, used when the join carries none. */
  readonly socketToken: string
  /** The caller for the join limits when the token has no `sub`. */
  readonly remoteAddress: string
  /** Counts the socket against the user's connection cap (once per socket); false when the cap is full. */
  holdUser(sub: string): boolean
}

export async function joinChannel(channel: Channel, request: JoinRequest): Promise<void> {
  const { ctx } = channel.owner
  const join = parseJoinPayload(request.payload)
  let replay: ReplayedMessage[] = []
  try {
    await admit(channel, join, request)
    replay = await replayMessages(channel, join)
  } catch (caught) {
    // Realtime rescues anything unexpected in join/3 as UnknownErrorOnChannel; the client still gets a reply.
    const error = caught instanceof JoinRefused ? caught : unexpected(ctx, channel, caught)
    if (error.auth) ctx.metrics.authFailures.join++
    const backoffMs = error.immediate ? 0 : ctx.options.joinErrorBackoffMs
    if (backoffMs > 0) await sleep(ctx.clock, backoffMs)
    if (channel.state !== 'closed') {
      channel.reply(request.ref, 'error', { reason: error.reason })
      channel.detach()
    }
    return
  }
  // Superseded while waiting on Postgres (duplicate join, socket gone): nothing to answer.
  if (channel.state === 'closed') return

  channel.reply(request.ref, 'ok', { postgres_changes: join.postgresChanges.map(withId) })
  const topic = channel.activate()
  channel.scheduleExpiry(confirmToken)
  if (channel.presenceEnabled && channel.canReadPresence) {
    channel.push(EVENT.presenceState, topic.presence.state())
  }
  for (const message of replay) pushReplayed(channel, message)
  if (join.postgresChanges.length > 0) {
    channel.push(EVENT.system, {
      extension: 'postgres_changes',
      status: 'error',
      message: POSTGRES_CHANGES_UNSUPPORTED,
      channel: channel.subTopic,
    })
  }
}

async function admit(channel: Channel, join: JoinPayload, request: JoinRequest): Promise<void> {
  const { ctx } = channel.owner
  if (channel.subTopic === '') throw new JoinRefused(JOIN_REASON.topicNameRequired)
  if (request.otherChannels >= ctx.options.maxChannelsPerClient) {
    throw new JoinRefused(JOIN_REASON.tooManyChannels)
  }
  if (!request.socketJoins.tryTake(ctx.clock.now())) throw rateLimited(ctx, 'socket')
  // nothing committed would reach the channel: refused at once, and the client retries (its poll serves meanwhile)
  if (ctx.stream.down) throw new JoinRefused(JOIN_REASON.databaseUnavailable, false, true)

  // An `sb_` publishable/secret key is not a JWT; Realtime then uses the socket's token.
  const token = join.accessToken && !join.accessToken.startsWith('sb_')
    ? join.accessToken
    : request.socketToken
  const verified = await ctx.verifier.verify(token, Math.floor(ctx.clock.now() / 1000))
  // After the JWT, unlike Realtime, because the caller's budget is keyed by the verified `sub`; a join
  // whose token fails still counts (against its address), so forged tokens cannot flood either.
  const caller = joinCaller(verified, request.remoteAddress)
  const now = ctx.clock.now()
  if (!ctx.joinBudgets.callers.get(caller.key, now).tryTake(now)) throw rateLimited(ctx, 'caller')
  if (!verified.ok) throw new JoinRefused(`${JWT_JOIN_CODE[verified.failure]}: ${verified.message}`, true)
  // The tenant's budget is only checked here and spent once the join is authorized: a join the caller may not
  // make costs its own budgets, never its victims' (tenant.ts).
  const tenant = ctx.joinBudgets.tenants.get(joinTenant(channel.subTopic, join.private, caller.signedIn), now)
  if (!tenant.allows(now)) throw rateLimited(ctx, 'tenant')
  const sub = verified.claims.sub
  if (sub && !request.holdUser(sub)) throw new JoinRefused(JOIN_REASON.tooManyUsers, false, true)

  channel.isPrivate = join.private
  channel.ackBroadcast = join.broadcastAck
  channel.selfBroadcast = join.broadcastSelf
  channel.presenceEnabled = join.presenceEnabled
  channel.presenceKey = join.presenceKey ?? randomUUID()
  channel.token = token
  channel.claims = verified.claims

  if (join.private) {
    try {
      channel.read = await ctx.probe.read(channel.authContext(verified.claims), join.presenceEnabled)
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error
      ctx.log.warn('read authorization failed', {
        topic: channel.topic,
        kind: error.kind,
        error: error.cause,
      })
      throw new JoinRefused(
        probeReason(error.kind, channel.subTopic),
        error.kind === 'rls_policy_error',
        error.kind === 'database_unavailable',
      )
    }
    if (!channel.read.broadcast && !channel.read.presence) {
      throw new JoinRefused(JOIN_REASON.unauthorized(channel.subTopic), true)
    }
  }
  if (join.postgresChanges.length > 0 && join.postgresChangesWait) {
    throw new JoinRefused(POSTGRES_CHANGES_UNSUPPORTED)
  }
  tenant.count(ctx.clock.now())
}

/** Who is joining, for the join budgets. */
interface JoinCaller {
  /** The verified `sub`, else the remote address. */
  readonly key: string
  /** A verified token other than anon (and not a Supabase anonymous user). */
  readonly signedIn: boolean
}

function joinCaller(verified: JwtResult, remoteAddress: string): JoinCaller {
  const claims = verified.ok ? verified.claims : null
  return {
    key: callerKey(claims?.sub, remoteAddress),
    signedIn: claims !== null && claims.role !== 'anon' && claims.is_anonymous !== true,
  }
}

/**
 * A private topic's restaurant (RLS will have to admit the caller before it is charged); public topics, and
 * private ones that name no restaurant, share a pool by whether the caller signed in, so anonymous joins never
 * spend what staff join from.
 */
function joinTenant(subTopic: string, isPrivate: boolean, signedIn: boolean): string {
  const restaurant = isPrivate ? restaurantOf(subTopic) : null
  return restaurant ?? (signedIn ? SHARED_TENANT.signedIn : SHARED_TENANT.anonymous)
}

function rateLimited(ctx: GatewayContext, limit: RateLimit): JoinRefused {
  ctx.metrics.rateLimitedJoins[limit]++
  return new JoinRefused(JOIN_REASON.tooManyJoins, false, true)
}

async function replayMessages(channel: Channel, join: JoinPayload): Promise<ReplayedMessage[]> {
  if (join.replay === null) return []
  if (!channel.isPrivate) throw new JoinRefused(JOIN_REASON.replayOnPublicChannel)
  if (join.replay === 'invalid') throw new JoinRefused(JOIN_REASON.replayParamsInvalid)
  if (!channel.read?.broadcast) throw new JoinRefused(JOIN_REASON.unauthorized(channel.subTopic), true)
  const { ctx } = channel.owner
  try {
    const messages = await ctx.replay.read(channel.subTopic, join.replay.since, join.replay.limit)
    channel.replayedIds = new Set(messages.map((message) => message.id))
    return messages
  } catch (error) {
    ctx.log.warn('replay failed', { topic: channel.topic, error })
    throw new JoinRefused(JOIN_REASON.replayFailed, false, error instanceof DeadlineExceeded)
  }
}

function pushReplayed(channel: Channel, message: ReplayedMessage): void {
  const frame = channel.serializer.encodeUserBroadcast({
    topic: channel.topic,
    event: message.event,
    payload: message.payload,
    meta: JSON.stringify({ replayed: true, id: message.id }),
  })
  if (frame) channel.conn.send(frame)
}

function unexpected(ctx: GatewayContext, channel: Channel, error: unknown): JoinRefused {
  ctx.log.error('join failed unexpectedly', { topic: channel.topic, error })
  return new JoinRefused(JOIN_REASON.unknown)
}

function probeReason(kind: ProbeFailureKind, subTopic: string): string {
  switch (kind) {
    case 'database_unavailable':
      return JOIN_REASON.databaseUnavailable
    case 'missing_partition':
      return JOIN_REASON.missingPartition
    case 'unable_to_set_policies':
      return JOIN_REASON.unableToSetPolicies
    case 'query_canceled':
      return JOIN_REASON.queryCanceled
    case 'rls_policy_error':
      return JOIN_REASON.unauthorized(subTopic)
  }
}

/** Realtime tags each `postgres_changes` entry with an integer id (`:erlang.phash2(params)`). */
function withId(params: Record<string, unknown>): Record<string, unknown> {
  let hash = 0x811c9dc5
  for (const char of JSON.stringify(params)) {
    hash ^= char.charCodeAt(0)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return { ...params, id: hash % 0x8000000 }
}
