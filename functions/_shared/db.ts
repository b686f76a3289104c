// Database access with postgres.js from SUPABASE_DB_URL. Every request that touches the domain runs as its caller:
// the transaction sets `role` (authenticated / service_role / anon, from the verified token) and the claims
// (`request.jwt.claims`, `request.jwt.claim.sub`) exactly as PostgREST does, all `local` to the transaction, so
// RLS, `auth.uid()` and the status-history triggers see the caller and nothing leaks to the next user of the
// connection.
//
// Pooler settings (hosted Supabase): SUPABASE_DB_URL may point at Supavisor in transaction mode (port 6543),
// where consecutive transactions of one client can land on different server connections. So:
//   - `prepare: false`: no named prepared statements (they would not exist on the next server connection);
//   - no session state: only `set_config(…, true)` / `set local`, scoped to one transaction;
//   - every request is ONE transaction (or one statement, which is its own implicit transaction).
// The same settings work on a direct connection (port 5432) and on the local stack.
import { type PendingQuery, postgres, type Row, type Sql, type TransactionSql } from './deps.ts'
import type { Caller } from './auth.ts'
import { intEnv, requireEnv } from './env.ts'

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

interface CallerSettings {
  role: string
  claims: string
  sub: string
}

function settingsOf(caller: Caller): CallerSettings {
  return { role: caller.role, claims: JSON.stringify(caller.claims), sub: caller.sub ?? '' }
}

/** Sets the caller for the rest of the current transaction. */
export async function actAs(tx: TransactionSql, caller: Caller): Promise<void> {
  const s = settingsOf(caller)
  await tx`select set_config('role', ${s.role}, true), set_config('request.jwt.claims', ${s.claims}, true),
                  set_config('request.jwt.claim.sub', ${s.sub}, true)`
}

/** One transaction as `caller`: role and claims set first, then `fn`. */
export function withCaller<T>(caller: Caller, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return db().begin(async (tx) => {
    await actAs(tx, caller)
    return await fn(tx)
  }) as Promise<T>
}

/**
 * The FROM item that makes ONE statement run as `caller`, for the hot read paths (snapshot revalidation,
 * catch-up): the settings are made in a subquery that Postgres evaluates before the select list, inside the
 * statement's own implicit transaction — one round trip instead of four (begin, settings, query, commit).
 *
 *   sql`select public.topic_seq(${topic}) as seq from ${callerScope(sql, caller)}`
 *
 * Only for `security definer` functions that authorise by `auth.uid()` themselves (topic_seq, topic_snapshot,
 * topic_events): the statement is planned before the role switch, so table RLS would NOT apply to it.
 */
export function callerScope(sql: Sql, caller: Caller): PendingQuery<Row[]> {
  const s = settingsOf(caller)
  return sql`(select set_config('role', ${s.role}, true), set_config('request.jwt.claims', ${s.claims}, true),
                     set_config('request.jwt.claim.sub', ${s.sub}, true) offset 0) as caller`
}
