import { API_PORT_HINT } from './api/server.ts'
import { superviseApiServer, type SupervisedApi } from './api/supervisor.ts'
import type { StackConfig } from './config.ts'
import { prepareDatabase } from './database-setup.ts'
import { withDb } from './db-connection.ts'
import { type Janitor, startJanitor } from './janitor.ts'
import type { Logger } from './log.ts'
import { resolvePostgresBinaries } from './postgres/binaries.ts'
import { installPgtapIntoEmbedded } from './postgres/pgtap.ts'
import { type SupervisedPostgres, superviseEmbeddedPostgres } from './postgres/supervisor.ts'
import { assertPortFree } from './ports.ts'

/** A started stack: Postgres (unless external), database prepared, janitor, API server. */
export interface RunningStack {
  readonly config: StackConfig
  /** The embedded server, restarted when it exits on its own; absent with DATABASE_URL. */
  readonly postgres?: SupervisedPostgres
  /** The API process (gateway, functions, auth, console), restarted when it dies. */
  readonly api: SupervisedApi
  stop(): Promise<void>
}

export interface StackOptions {
  /** After the API process was restarted (its new pid). */
  onApiRestart?(pid: number): void
  /** After the embedded Postgres was restarted (its new pid). */
  onPostgresRestart?(pid: number): void
  /** Awaited before each Postgres restart (tests hold the database down with it). */
  beforePostgresRestart?(): Promise<void>
}

/**
 * Starts every part in dependency order and, if a step fails, stops what already runs before rethrowing.
 * Used by `plater start` (foreground) and `plater test` (a private stack for the suites).
 */
export async function startStack(
  config: StackConfig,
  log: Logger,
  options: StackOptions = {},
): Promise<RunningStack> {
  const stopSteps: Array<() => Promise<void> | void> = []
  const stopAll = async () => {
    for (const step of stopSteps.reverse().splice(0)) {
      try {
        await step()
      } catch (error) {
        log.warn('error while stopping', { error })
      }
    }
  }

  // Checked again when binding; checking first spares a Postgres start and migrations that would be wasted.
  await assertPortFree(config.apiHost, config.apiPort, 'API', API_PORT_HINT)

  try {
    let postgres: SupervisedPostgres | undefined
    if (config.externalDb) {
      await warnUnlessLogicalWal(config.dbUrl, log)
    } else {
      const binaries = await resolvePostgresBinaries()
      const pgtap = installPgtapIntoEmbedded(binaries.extensionDir)
      if (pgtap === 'not-on-this-machine') {
        log.child('postgres').info(
          'pgTAP is not installed on this machine (npm test needs it); `scripts/setup` installs it',
        )
      } else if (pgtap === 'extension-dir-read-only') {
        log.child('postgres').warn(
          `cannot copy pgTAP into ${binaries.extensionDir} (not writable); \`create extension pgtap\` will fail`,
        )
      }
      postgres = await superviseEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.dbPort,
        log: log.child('postgres'),
        onRestart: options.onPostgresRestart,
        beforeRestart: options.beforePostgresRestart,
      })
      stopSteps.push(() => postgres!.stop())
    }

    await prepareDatabase(config.repoRoot, config.dbUrl, log.child('db'))

    const janitor: Janitor = await startJanitor(config.dbUrl, log.child('janitor'))
    stopSteps.push(() => janitor.stop())

    const api = await superviseApiServer(config, log, { onRestart: options.onApiRestart })
    stopSteps.push(() => api.stop())

    return { config, postgres, api, stop: stopAll }
  } catch (error) {
    await stopAll()
    throw error
  }
}

async function warnUnlessLogicalWal(dbUrl: string, log: Logger): Promise<void> {
  const [row] = await withDb(dbUrl, 'check', (sql) => sql<{ wal_level: string }[]>`show wal_level`)
  if (row?.wal_level !== 'logical') {
    log.warn(`DATABASE_URL has wal_level=${row?.wal_level}; realtime needs wal_level=logical`)
  }
}
