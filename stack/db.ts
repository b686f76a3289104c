import postgres, { type Sql } from 'postgres';

/**
 * A small postgres.js pool for the stack's own housekeeping (bootstrap, janitor, health, tokens).
 * `application_name` makes these sessions recognisable in pg_stat_activity; notices (e.g. "already exists,
 * skipping" from idempotent DDL) are dropped because they are expected.
 */
export function openDb(dbUrl: string, applicationName: string, max = 1): Sql {
  return postgres(dbUrl, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: `plater-${applicationName}` },
  });
}

/** Runs `fn` with a short-lived connection and always closes it. */
export async function withDb<T>(dbUrl: string, applicationName: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = openDb(dbUrl, applicationName);
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
