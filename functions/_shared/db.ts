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
import type { Caller } from './auth.ts'
import { postgres, type ReservedSql, type Sql } from './deps.ts'
import { intEnv, requireEnv } from './env.ts'
import { sqlText } from './sql-text.ts'

let pool: Sql | undefined

export function db(): Sql {
  pool ??= postgres(requireEnv('SUPABASE_DB_URL'), {
    prepare: false,
    max: intEnv('PLATER_DB_POOL_MAX', 10),
    idle_timeout: 60,
    connect_timeout: 10,
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

/** Statements that make the rest of the current transaction run as `caller`. */
export function actAs(caller: Caller): string {
  return sqlText`select set_config('role', ${caller.role}, true), set_config('request.jwt.claims', ${
    JSON.stringify(caller.claims)
  }, true), set_config('request.jwt.claim.sub', ${caller.sub ?? ''}, true);`
}

/**
 * ONE statement as `caller`, in one round trip: the settings and the statement share a Query message and so one
 * implicit transaction; the statement is planned after the role switch, so RLS applies as for any caller query.
 */
export async function readAs<T>(caller: Caller, statement: string): Promise<Rows<T>> {
  return lastSelect<T>(await db().unsafe(`${actAs(caller)}\n${statement}`))
}

export interface Tx {
  /** Sends `text` (any number of statements, one Query message); the first call also opens the transaction. */
  run<R>(text: string): Promise<Rows<R>>
  /** Sends `text` followed by COMMIT in the same message. */
  commit<R>(text?: string): Promise<Rows<R>>
}

/**
 * A transaction on a reserved connection, driven by hand so that several statements share a round trip. It is
 * rolled back unless `fn` commits; a connection whose rollback fails is dead anyway (postgres.js reconnects it).
 */
export async function transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const conn: ReservedSql = await db().reserve()
  const state: { phase: 'idle' | 'open' | 'committed' } = { phase: 'idle' }
  const send = async <R>(text: string): Promise<Rows<R>> => {
    const prefix = state.phase === 'idle' ? 'begin;\n' : ''
    state.phase = 'open'
    return lastSelect<R>(await conn.unsafe(prefix + text))
  }
  const tx: Tx = {
    run: send,
    async commit<R>(text = '') {
      const rows = await send<R>(`${text}\ncommit;`)
      state.phase = 'committed'
      return rows
    },
  }
  try {
    return await fn(tx)
  } finally {
    if (state.phase === 'open') await conn.unsafe('rollback').catch(() => {})
    conn.release()
  }
}
