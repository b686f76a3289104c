import { setTimeout as sleep } from 'node:timers/promises'
import { ensureAuthSchema } from './auth/schema.ts'
import { applySupabaseCompat } from './bootstrap/apply.ts'
import { withDb } from './db-connection.ts'
import { maintainMessagePartitions } from './janitor.ts'
import type { Logger } from './log.ts'
import { migrateIfNeeded } from './migrate.ts'

/**
 * Brings a database to the state the app expects: Supabase-compat objects and the dev auth's own tables (so a
 * reset of a running stack keeps sign-in working), today's realtime.messages partitions (before the seed, whose
 * triggers broadcast), then migrations + seed through the Supabase CLI when pending.
 */
export async function prepareDatabase(repoRoot: string, dbUrl: string, log: Logger): Promise<void> {
  await applySupabaseCompat(dbUrl)
  await withDb(dbUrl, 'auth', (sql) => ensureAuthSchema(sql))
  await withDb(dbUrl, 'janitor', (sql) => maintainMessagePartitions(sql))
  await migrateIfNeeded(repoRoot, dbUrl, log)
}

/**
 * `plater reset`: drops and re-creates the database, then bootstraps, migrates and seeds from scratch.
 * Connections are refused first, so clients that reconnect eagerly (the gateway, the health check) cannot slip
 * back in between terminating them and dropping the database.
 */
export async function resetDatabase(repoRoot: string, dbUrl: string, log: Logger): Promise<void> {
  const target = new URL(dbUrl)
  const name = decodeURIComponent(target.pathname.slice(1)) || 'postgres'
  const maintenance = new URL(dbUrl)
  maintenance.pathname = name === 'postgres' ? '/template1' : '/postgres'

  await withDb(maintenance.toString(), 'reset', async (sql) => {
    const [exists] = await sql`select 1 from pg_database where datname = ${name}`
    if (exists) {
      await sql`alter database ${sql(name)} with allow_connections false`
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`
      // Temporary replication slots go away with their sessions; wait for that, then drop persistent ones.
      for (let attempt = 0; attempt < 50; attempt++) {
        const [busy] = await sql`select 1 from pg_replication_slots where database = ${name} and active`
        if (!busy) break
        await sleep(100)
      }
      await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = ${name}`
      await sql`drop database ${sql(name)} with (force)`
    }
    await sql`create database ${sql(name)}`
  })
  log.info(`re-created database ${name}`)
  await prepareDatabase(repoRoot, dbUrl, log)
}
