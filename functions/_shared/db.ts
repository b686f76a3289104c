// Database access with postgres.js from SUPABASE_DB_URL. Every request that touches the domain runs as its caller:
// its transaction first sets `role` (authenticated / service_role / anon, from the verified token) and the claims
// (`request.jwt.claims`, `request.jwt.claim.sub`) the way PostgREST does, all LOCAL to that transaction, so RLS,
// `auth.uid()` and the status-history triggers see the caller and nothing leaks to the next user of the connection.
//
// Settings that also work through hosted Supabase's transaction pooler (Supavisor, port 6543), where consecutive
// transactions of one client may run on different server connections:
//   - `prepare: false`: no named prepared statements (they would not exist on the next server connection);
//   - no session state: only `set_config(…, true)`, scoped to one transaction;
//   - one transaction per request, or one multi-statement Query message (its own implicit transaction).
// The same settings work on a direct connection (port 5432) and on the local stack.
//
// Statements are sent as SQL text with inlined literals (sql-text.ts): with `prepare: false`, postgres.js would
// otherwise spend two round trips on every parameterised statement.
//
// Faults: every call is bounded (DB_LIMITS) and every connection-level failure — refused, reset, "starting up",
// a round trip past its limit, a fault inside the driver — becomes a DatabaseUnavailableError (errors.ts), which
// answers 503 `retry_later`. A round trip past its limit, or a driver fault, also replaces the pool, so no request
// queues behind a connection that will never answer.
import type { Caller } from './auth.ts'
import { createLogger } from '@plater/shared/log.ts'
import { postgres, type ReservedSql, type Sql } from './deps.ts'
import { intEnv, requireEnv } from './env.ts'
import { connectionFailure, DatabaseUnavailableError } from './errors.ts'
import { sqlText } from './sql-text.ts'

/** How long anything waits for the database (functions/README.md, "Database faults"). */
export const DB_LIMITS = {
  /** Opening a connection (postgres.js `connect_timeout`, seconds). */
  connectSeconds: 3,
  /** Server-side limit on each request's statements (`statement_timeout`, local to its transaction). */
  statementMs: 5_000,
  /** Client-side limit on one round trip, connecting included, whatever the server or the driver does. */
  roundTripMs: 10_000,
} as const

let pool: Sql | undefined

export function db(): Sql {
  pool ??= postgres(requireEnv('SUPABASE_DB_URL'), {
    prepare: false,
    // Few connections, pipelined: on a small machine more would only spread the same queries over more sockets
    // (each write through Deno's node:net layer costs more than the bytes it carries).
    max: intEnv('PLATER_DB_POOL_MAX', 4),
    idle_timeout: 60,
    connect_timeout: DB_LIMITS.connectSeconds,
    onnotice: () => {},
    connection: { application_name: 'plater-functions' },
  })
  return pool
}

export async function closeDb(): Promise<void> {
  const current = pool
  pool = undefined
  await current?.end({ timeout: 5 })
}

/** Drops the pool (its connections may be stuck or broken); the next call opens a new one. */
function replacePool(): void {
  const current = pool
  pool = undefined
  current?.end({ timeout: 0 }).catch(() => {})
}

// postgres.js can throw outside any query when its socket is gone (`TypeError: … reading 'write'` from a deferred
// write after a connection closed): nothing awaits that, so without this it would end the isolate on hosted
// Supabase. The pool it came from is replaced; the queries it broke fail (or run out of time) on their own.
const log = createLogger('db')

addEventListener('error', (event) => {
  if (!/[/\\]postgres[/@\\]/.test(String((event.error as Error | undefined)?.stack))) return
  event.preventDefault()
  log.error('postgres.js failed outside a query; replacing the connection pool', { error: event.error })
  replacePool()
})

/**
 * One database call, bounded by DB_LIMITS.roundTripMs; connection-level failures become
 * DatabaseUnavailableError. `limitMs` shortens the bound (a caller with less time left).
 */
export async function roundTrip<T>(
  call: () => PromiseLike<T>,
  limitMs: number = DB_LIMITS.roundTripMs,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const running = Promise.resolve().then(call)
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      replacePool()
      reject(new DatabaseUnavailableError(`the database did not answer within ${limitMs} ms`, true))
    }, limitMs)
  })
  try {
    return await Promise.race([running, expired])
  } catch (error) {
    running.catch(() => {}) // settles after its time ran out: nobody is waiting any more
    throw connectionFailure(error) ?? error
  } finally {
    clearTimeout(timer)
  }
}

/** A simple query (any number of statements) on the pool, as the connection's own role. */
// deno-lint-ignore no-explicit-any
export function query(text: string): Promise<any> {
  return roundTrip(() => db().unsafe(text))
}

// deno-lint-ignore no-explicit-any
export type Rows<T = any> = T[]

/** The rows of the last SELECT of a (possibly multi-statement) simple query. */
// deno-lint-ignore no-explicit-any
export function lastSelect<T>(result: any): Rows<T> {
  if (!Array.isArray(result) || result.length === 0 || !Array.isArray(result[0])) return result as Rows<T>
  for (let i = result.length - 1; i >= 0; i--) {
    if (result[i].command === 'SELECT') return result[i] as Rows<T>
  }
  return result[result.length - 1] as Rows<T>
}

const actAsCache = new WeakMap<Caller, string>()

/** Statements that make the rest of the current transaction run as `caller` (built once per caller). */
export function actAs(caller: Caller): string {
  let text = actAsCache.get(caller)
  if (text === undefined) {
    text = settingsOf(caller)
    actAsCache.set(caller, text)
  }
  return text
}

function settingsOf(caller: Caller): string {
  return sqlText`select set_config('role', ${caller.role}, true), set_config('request.jwt.claims', ${
    JSON.stringify(caller.claims)
  }, true), set_config('request.jwt.claim.sub', ${caller.sub ?? ''}, true), ${STATEMENT_TIMEOUT};`
}

/** Local to the transaction (the only kind of setting a transaction pooler allows). */
const STATEMENT_TIMEOUT = `set_config('statement_timeout', '${DB_LIMITS.statementMs}', true)`

/**
 * ONE statement as `caller`, in one round trip: the settings and the statement share a Query message and so one
 * implicit transaction; the statement is planned after the role switch, so RLS applies as for any caller query.
 */
export async function readAs<T>(caller: Caller, statement: string): Promise<Rows<T>> {
  return lastSelect<T>(await query(`${actAs(caller)}\n${statement}`))
}

/** Every result set of a simple query, in statement order (one statement gives one). */
// deno-lint-ignore no-explicit-any
export function resultSets(result: any): Rows[] {
  if (!Array.isArray(result)) return []
  return result.length > 0 && Array.isArray(result[0]) ? result as Rows[] : [result as Rows]
}

/** The rows of the first result set that has column `column`. */
export function rowsWith<T>(sets: Rows[], column: string): Rows<T> | undefined {
  // deno-lint-ignore no-explicit-any
  return sets.find((set) => (set as any).columns?.some((c: { name: string }) => c.name === column)) as
    | Rows<T>
    | undefined
}

export interface Tx {
  /**
   * Sends `text` (any number of statements, one Query message; the first call also opens the transaction) and
   * answers every result set. Pass `commits` when the text ends the transaction with COMMIT.
   */
  send(text: string, options?: { commits?: boolean }): Promise<Rows[]>
}

/**
 * A transaction on a reserved connection, driven by hand so that several statements share a round trip. It is
 * rolled back unless a `send` that commits succeeds; a connection whose rollback fails is dead anyway (postgres.js
 * reconnects it). Each send is a bounded roundTrip; so is waiting for the connection.
 */
export async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const reserving = db().reserve()
  let conn: ReservedSql
  try {
    conn = await roundTrip(() => reserving)
  } catch (error) {
    reserving.then((late) => late.release(), () => {}) // a connection that comes after we gave up goes back
    throw error instanceof DatabaseUnavailableError
      ? new DatabaseUnavailableError(error.message, false)
      : error
  }
  const state: { phase: 'idle' | 'open' | 'done' } = { phase: 'idle' }
  const tx: Tx = {
    async send(text, options = {}) {
      const prefix = state.phase === 'idle' ? `begin;\nselect ${STATEMENT_TIMEOUT};\n` : ''
      state.phase = 'open'
      const sets = resultSets(await roundTrip(() => conn.unsafe(prefix + text)))
      if (options.commits) state.phase = 'done'
      return sets
    },
  }
  try {
    return await fn(tx)
  } finally {
    if (state.phase === 'open') await roundTrip(() => conn.unsafe('rollback')).catch(() => {})
    conn.release()
  }
}
