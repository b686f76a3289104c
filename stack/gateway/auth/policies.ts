import { randomUUID } from 'node:crypto'
import type { ReservedSql, Sql } from 'postgres'
import { type Deadline, DeadlineExceeded, withDeadline } from '../deadline.ts'
import type { Claims } from './jwt.ts'

/**
 * Private-channel authorization exactly as Realtime does it (Realtime.Tenants.Authorization): the rules
 * live in the project's RLS policies on `realtime.messages`, and the gateway only asks Postgres.
 *
 *   read:  BEGIN; insert probe rows as the privileged user; set role/claims/realtime.topic LOCAL;
 *          select the probe rows back (RLS decides which are visible); ROLLBACK.
 *   write: BEGIN; set role/claims/topic LOCAL; insert a probe row per extension under a savepoint
 *          (RLS WITH CHECK decides); ROLLBACK.
 *
 * Each probe's statements are issued together on one reserved connection, so postgres.js pipelines them
 * (one round trip); nothing is ever committed, so logical replication never sees a probe row.
 */

export interface AuthContext {
  /** The sub-topic (`kds:…`), which is what `realtime.topic()` returns inside policies. */
  readonly subTopic: string
  readonly claims: Claims
  /** `x-*` upgrade headers, exposed to policies as `request.headers` (Realtime's x_headers). */
  readonly headers: Readonly<Record<string, string>>
}

export interface Permissions {
  readonly broadcast: boolean
  readonly presence: boolean
}

/** Why a probe could not answer, in Realtime's terms (each maps to one of its join/system errors). */
export type ProbeFailureKind =
  | 'database_unavailable'
  | 'unable_to_set_policies'
  | 'missing_partition'
  | 'query_canceled'
  | 'rls_policy_error'

export class ProbeError extends Error {
  override readonly name = 'ProbeError'
  constructor(
    readonly kind: ProbeFailureKind,
    options: ErrorOptions,
  ) {
    super(`authorization probe failed: ${kind}`, options)
  }
}

const SQLSTATE = {
  insufficientPrivilege: '42501',
  checkViolation: '23514',
  queryCanceled: '57014',
} as const

export class PolicyProbe {
  readonly #sql: Sql
  readonly #deadline: Deadline

  /** A probe that has no answer after `deadline.ms` fails as `database_unavailable`. */
  constructor(sql: Sql, deadline: Deadline) {
    this.#sql = sql
    this.#deadline = deadline
  }

  /** Which extensions the caller may read on the topic. Presence is only probed when the channel uses it. */
  async read(ctx: AuthContext, withPresence: boolean): Promise<Permissions> {
    const broadcastId = randomUUID()
    const presenceId = withPresence ? randomUUID() : null
    const rows = await this.#run(async (tx) => {
      const insert = presenceId === null
        ? tx`insert into realtime.messages (id, topic, extension) values (${broadcastId}, ${ctx.subTopic}, 'broadcast')`
        : tx`insert into realtime.messages (id, topic, extension)
               values (${broadcastId}, ${ctx.subTopic}, 'broadcast'), (${presenceId}, ${ctx.subTopic}, 'presence')`
      const [, inserted, configured, selected] = await Promise.allSettled([
        tx`begin`,
        insert,
        setConfig(tx, ctx),
        tx<{ id: string }[]>`select id from realtime.messages
           where topic = ${ctx.subTopic}
             and ((extension = 'broadcast' and id = ${broadcastId})
               or (extension = 'presence' and id = ${presenceId ?? broadcastId}))`,
        tx`rollback`,
      ])
      failOn(
        inserted,
        (code) => (code === SQLSTATE.checkViolation ? 'missing_partition' : 'unable_to_set_policies'),
      )
      failOn(configured, () => 'unable_to_set_policies')
      failOn(selected, (code) => (code === SQLSTATE.queryCanceled ? 'query_canceled' : 'rls_policy_error'))
      return selected.value
    })
    const visible = new Set(rows.map((row) => row.id))
    return { broadcast: visible.has(broadcastId), presence: presenceId !== null && visible.has(presenceId) }
  }

  /** Which extensions the caller may write (send broadcasts, track presence) on the topic. */
  write(ctx: AuthContext): Promise<Permissions> {
    return this.#run(async (tx) => {
      const insertProbe = (extension: 'broadcast' | 'presence') =>
        tx`insert into realtime.messages (id, topic, extension) values (${randomUUID()}, ${ctx.subTopic}, ${extension})`
      const [, configured, , broadcast, , presence] = await Promise.allSettled([
        tx`begin`,
        setConfig(tx, ctx),
        tx`savepoint probe`,
        insertProbe('broadcast'),
        tx`rollback to savepoint probe`,
        insertProbe('presence'),
        tx`rollback`,
      ])
      failOn(configured, () => 'unable_to_set_policies')
      return { broadcast: allowed(broadcast), presence: allowed(presence) }
    })
  }

  async #run<T>(probe: (tx: ReservedSql) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(this.#deadline, this.#reserveAndRun(probe))
    } catch (cause) {
      if (cause instanceof DeadlineExceeded) throw new ProbeError('database_unavailable', { cause })
      throw cause
    }
  }

  async #reserveAndRun<T>(probe: (tx: ReservedSql) => Promise<T>): Promise<T> {
    let tx: ReservedSql
    try {
      tx = await this.#sql.reserve()
    } catch (cause) {
      throw new ProbeError('database_unavailable', { cause })
    }
    let closed = false
    try {
      return await probe(tx)
    } catch (error) {
      closed = connectionClosed(error instanceof ProbeError ? error.cause : error)
      throw error
    } finally {
      // postgres.js 3.4 puts a released connection back among the idle ones even when it closed meanwhile, and the
      // next query on it writes to no socket (an uncaught TypeError that would end the process). A closed one is
      // already back in the pool's closed queue, which reconnects it: it must not be released.
      if (!closed) tx.release()
    }
  }
}

/** postgres.js's errors for a connection that has gone (its Errors.connection codes). */
const CONNECTION_GONE = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED'])

function connectionClosed(error: unknown): boolean {
  return !isPostgresError(error) && CONNECTION_GONE.has(sqlState(error) ?? '')
}

function setConfig(tx: ReservedSql, ctx: AuthContext) {
  const role = ctx.claims.role
  const sub = typeof ctx.claims.sub === 'string' ? ctx.claims.sub : ''
  return tx`select
      set_config('role', ${role}, true),
      set_config('realtime.topic', ${ctx.subTopic}, true),
      set_config('request.jwt.claims', ${JSON.stringify(ctx.claims)}, true),
      set_config('request.jwt.claim.sub', ${sub}, true),
      set_config('request.jwt.claim.role', ${role}, true),
      set_config('request.headers', ${JSON.stringify(ctx.headers)}, true)`
}

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
}

/** A Postgres error carries a five-character SQLSTATE; anything else is the connection failing. */
function isPostgresError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'PostgresError'
}

function failOn<T>(
  result: PromiseSettledResult<T>,
  kindFor: (code: string) => ProbeFailureKind,
): asserts result is PromiseFulfilledResult<T> {
  if (result.status === 'fulfilled') return
  const error: unknown = result.reason
  if (!isPostgresError(error)) throw new ProbeError('database_unavailable', { cause: error })
  throw new ProbeError(kindFor(sqlState(error) ?? ''), { cause: error })
}

function allowed(result: PromiseSettledResult<unknown>): boolean {
  if (result.status === 'fulfilled') return true
  if (sqlState(result.reason) === SQLSTATE.insufficientPrivilege) return false
  failOn(result, (code) => (code === SQLSTATE.checkViolation ? 'missing_partition' : 'rls_policy_error'))
  return false
}
