import postgres, { type Sql, type TransactionSql } from 'postgres'

/** A pool or an open transaction: what housekeeping queries run on. */
export type Queryable = Sql | TransactionSql

export interface DbOptions {
  max?: number
  /** Seconds before an idle connection is closed; unset keeps it open. */
  idleTimeout?: number
  /** Seconds to wait for a connection. */
  connectTimeout?: number
}

/**
 * A small postgres.js pool for the stack's own housekeeping (bootstrap, janitor, health, tokens).
 * `application_name` makes these sessions recognisable in pg_stat_activity; notices (e.g. "already exists,
 * skipping" from idempotent DDL) are dropped because they are expected.
 */
export function openDb(dbUrl: string, applicationName: string, options: DbOptions = {}): Sql {
  return postgres(dbUrl, {
    max: options.max ?? 1,
    idle_timeout: options.idleTimeout,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: () => {},
    connection: { application_name: `plater-${applicationName}` },
  })
}

/** Runs `fn` with a short-lived connection and always closes it. */
export async function withDb<T>(
  dbUrl: string,
  applicationName: string,
  fn: (sql: Sql) => Promise<T>,
): Promise<T> {
  const sql = openDb(dbUrl, applicationName)
  try {
    return await fn(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}
