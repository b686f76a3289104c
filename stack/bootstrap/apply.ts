import { readFileSync } from 'node:fs'
import { withDb } from '../db-connection.ts'

const compatSqlFile = new URL('./supabase-compat.sql', import.meta.url)

/** Creates the Supabase-owned objects our migrations expect (idempotent; runs before every migrate). */
export async function applySupabaseCompat(dbUrl: string): Promise<void> {
  const script = readFileSync(compatSqlFile, 'utf8')
  await withDb(dbUrl, 'bootstrap', async (sql) => {
    try {
      // Simple query protocol: the whole script in one round trip, as one implicit transaction.
      await sql.unsafe(script)
    } catch (error) {
      throw new Error(`Supabase-compat bootstrap failed: ${(error as Error).message}`, { cause: error })
    }
  })
}
