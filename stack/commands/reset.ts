import { setTimeout as sleep } from 'node:timers/promises'
import { resolveConfig } from '../config.ts'
import { resetDatabase } from '../database-setup.ts'
import { withDb } from '../db-connection.ts'
import { createLogger, type Logger, logLevelFromEnv } from '../log.ts'
import { startEmbeddedPostgres } from '../postgres/cluster.ts'
import { runningStack } from '../state.ts'

export interface ResetOptions {
  /** Reset a database plater does not run itself (DATABASE_URL, or a running stack that uses one). */
  yes: boolean
}

/**
 * `plater reset`: drops the stack's database and re-creates it from migrations + seed, after saying which one.
 * Works on the running stack (its clients reconnect) or, when none runs, on the data dir's embedded cluster,
 * started just for the reset. A database plater does not run itself — DATABASE_URL, or a running stack whose
 * Postgres it did not start — may hold someone's data: that one is reset only with `--yes`.
 */
export async function resetCommand(options: ResetOptions): Promise<number> {
  const config = await resolveConfig()
  const log = createLogger('plater', logLevelFromEnv(process.env, 'info'))
  const state = runningStack(config.dataDir)
  const dbUrl = state?.dbUrl ?? config.dbUrl
  // a running stack records the pid of the Postgres it started; one without ran on a database given to it
  const external = state ? state.postgresPid === undefined : config.externalDb

  const where = displayUrl(dbUrl)
  if (external && !options.yes) {
    console.error(
      `plater: refusing to reset ${where}: plater does not run that database (DATABASE_URL), so it may hold data ` +
        'that is not the seed. `plater reset --yes` drops it and re-creates it from migrations + seed.',
    )
    return 1
  }
  const owner = state
    ? `the stack running from ${config.dataDir} (pid ${state.pid}; its clients reconnect)`
    : external
    ? 'DATABASE_URL'
    : `the embedded Postgres of ${config.dataDir} (port ${config.dbPort}; started for the reset and stopped after)`
  console.log(
    `Resetting ${where}, the database of ${owner}: every row in it is dropped; bootstrap, migrations and seed are applied again.`,
  )

  if (state || external) {
    await resetDatabase(config.repoRoot, dbUrl, log.child('db'))
    if (state) await announceEpoch(dbUrl, log.child('db'))
  } else {
    const postgres = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.dbPort,
      log: log.child('postgres'),
    })
    try {
      await resetDatabase(config.repoRoot, config.dbUrl, log.child('db'))
    } finally {
      await postgres.stop()
    }
  }
  console.log('Database reset: migrations and seed applied.')
  return 0
}

/** `postgresql://user@host:port/db`: where, without the password. */
function displayUrl(dbUrl: string): string {
  const url = new URL(dbUrl)
  url.password = ''
  return url.toString()
}

/**
 * Tells the running stack's live clients that the database started over (migrations/…_topic_epoch.sql),
 * once the gateway streams the new database (its replication slot is active again), so they reload at once.
 */
export async function announceEpoch(dbUrl: string, log: Logger, timeoutMs = 30_000): Promise<void> {
  await withDb(dbUrl, 'reset', async (sql) => {
    for (const deadline = Date.now() + timeoutMs;;) {
      const [streaming] =
        await sql`select 1 from pg_replication_slots where database = current_database() and active`
      if (streaming) break
      if (Date.now() > deadline) {
        log.warn('the gateway is not streaming the new database yet; clients reload on their next message')
        return
      }
      await sleep(100)
    }
    const [row] = await sql<{ told: number }[]>`select plater_private.announce_topic_epoch() as told`
    log.info(`announced the new topic epoch on ${row?.told ?? 0} topics`)
  })
}
