import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Sql } from 'postgres'
import { withDb } from './db-connection.ts'
import type { Logger } from './log.ts'
import { runSupabaseCli, withSslDisabled } from './supabase-cli.ts'

/** The seed file as the CLI records it in `supabase_migrations.seed_files.path` ([db.seed] in config.toml). */
const SEED_PATH = 'supabase/seed.sql'

// The CLI's own rule for migration file names: `<version>_<name>.sql`.
const MIGRATION_FILE = /^(\d+)_.*\.sql$/

export interface PendingWork {
  migrations: string[]
  seed: boolean
}

/** Versions of the local migration files (read through the `supabase/migrations` symlink, as the CLI does). */
export function localMigrationVersions(repoRoot: string): string[] {
  const dir = join(repoRoot, 'supabase', 'migrations')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((name) => MIGRATION_FILE.exec(name)?.[1])
    .filter((version): version is string => version !== undefined)
    .sort()
}

async function tableExists(sql: Sql, name: string): Promise<boolean> {
  const [row] = await sql<{ exists: boolean }[]>`select to_regclass(${name}) is not null as exists`
  return row?.exists ?? false
}

/**
 * What `supabase db push --include-seed` would do, read from the CLI's own bookkeeping: applied versions in
 * `supabase_migrations.schema_migrations`, applied seed files (by content hash) in `supabase_migrations.seed_files`.
 * Lets `plater start` skip the CLI (about a second) when the database is current.
 */
export function findPendingWork(repoRoot: string, dbUrl: string): Promise<PendingWork> {
  const local = localMigrationVersions(repoRoot)
  const seedFile = join(repoRoot, SEED_PATH)
  const seedHash = existsSync(seedFile)
    ? createHash('sha256').update(readFileSync(seedFile)).digest('hex')
    : undefined

  return withDb(dbUrl, 'migrate', async (sql) => {
    const applied = new Set<string>()
    if (await tableExists(sql, 'supabase_migrations.schema_migrations')) {
      for (
        const row of await sql<
          { version: string }[]
        >`select version from supabase_migrations.schema_migrations`
      ) {
        applied.add(row.version)
      }
    }
    let seed = false
    if (seedHash !== undefined) {
      const seeded = (await tableExists(sql, 'supabase_migrations.seed_files')) &&
        (await sql`select 1 from supabase_migrations.seed_files where path = ${SEED_PATH} and hash = ${seedHash}`)
            .length > 0
      seed = !seeded
    }
    return { migrations: local.filter((version) => !applied.has(version)), seed }
  })
}

/** Applies migrations and the seed with the real Supabase CLI, exactly as a deploy would (`db push`). */
export async function pushMigrations(repoRoot: string, dbUrl: string, log: Logger): Promise<void> {
  const args = ['db', 'push', '--db-url', withSslDisabled(dbUrl), '--include-seed', '--yes']
  const { code, output } = await runSupabaseCli(repoRoot, args)
  if (code !== 0) {
    throw new Error(`\`supabase db push\` failed (exit ${code}). Its output:\n${indent(output.trim())}`)
  }
  for (const line of output.split('\n')) {
    if (/^(Applying migration|Seeding data)/.test(line)) log.info(line.trim())
  }
}

/** Runs `db push` only when a migration or the seed is not applied yet. Returns whether it ran. */
export async function migrateIfNeeded(repoRoot: string, dbUrl: string, log: Logger): Promise<boolean> {
  const pending = await findPendingWork(repoRoot, dbUrl)
  if (pending.migrations.length === 0 && !pending.seed) {
    log.info('database is up to date')
    return false
  }
  await pushMigrations(repoRoot, dbUrl, log)
  return true
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ')
}
