import type { Sql, TransactionSql } from 'postgres'

const ROLLBACK = Symbol('rollback')

/** Runs `fn` in a transaction that is always rolled back, so a test leaves the shared database as it found it. */
export async function inRolledBackTransaction<T>(
  sql: Sql,
  fn: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  let result: T | undefined
  try {
    await sql.begin(async (tx) => {
      result = await fn(tx)
      throw ROLLBACK
    })
  } catch (error) {
    if (error !== ROLLBACK) throw error
  }
  return result as T
}
