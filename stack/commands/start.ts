import { resolveConfig } from '../config.ts'
import { createLogger, logLevelFromEnv } from '../log.ts'
import { startStack } from '../stack.ts'
import { removeStackState, runningStack, type StackState, writeStackState } from '../state.ts'
import { buildConsoleIfStale } from './console-build.ts'
import { cleanUpAfterKilledStack } from './leftovers.ts'
import { formatStatus, statusValues } from './status-values.ts'

/** `plater start`: runs the whole stack in the foreground until Ctrl-C / SIGTERM / `plater stop`. */
export async function startCommand(): Promise<number> {
  const startedAt = Date.now()
  const config = await resolveConfig()
  const log = createLogger('plater', logLevelFromEnv(process.env, 'info'))

  const existing = runningStack(config.dataDir)
  if (existing) {
    log.error(
      `a stack from ${config.dataDir} is already running (pid ${existing.pid}, ${existing.apiUrl}); \`plater stop\` stops it`,
    )
    return 1
  }
  await cleanUpAfterKilledStack(config.dataDir, log)
  await buildConsoleIfStale(log.child('console'))

  // Written before anything starts, so a second `plater start` of this data dir sees this one while it starts.
  const state: StackState = {
    pid: process.pid,
    apiUrl: config.apiUrl,
    dbUrl: config.dbUrl,
    startedAt: new Date(startedAt).toISOString(),
  }
  writeStackState(config.dataDir, state)
  let recorded = state
  const record = (change: Partial<StackState>) =>
    writeStackState(config.dataDir, recorded = { ...recorded, ...change })
  let stack
  try {
    stack = await startStack(config, log, {
      onPostgresRestart: (pid) => record({ postgresPid: pid }),
      onApiRestart: (pid) => record({ apiPid: pid }),
    })
  } catch (error) {
    removeStackState(config.dataDir)
    throw error
  }
  record({ postgresPid: stack.postgres?.pid, apiPid: stack.api.pid })

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1)
  console.log(`\nPlater stack started in ${seconds}s.\n`)
  console.log(formatStatus(statusValues(config, config), 'pretty'))
  console.log('\nCtrl-C or `npx plater stop` stops it.')

  const reason = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
    stack.postgres?.gaveUp.then(() => resolve('postgres-gave-up'))
    stack.api.gaveUp.then(() => resolve('api-gave-up'))
  })
  // A second Ctrl-C while stopping exits at once (Postgres still gets its shutdown signal on exit).
  process.once('SIGINT', () => process.exit(130))

  if (reason === 'postgres-gave-up') {
    log.error('Postgres cannot be restarted; stopping the stack (see <dataDir>/postgres.log)')
  } else if (reason === 'api-gave-up') {
    log.error('the API process cannot be restarted; stopping the stack (its errors are above)')
  } else log.info('stopping…')
  await stack.stop()
  removeStackState(config.dataDir)
  log.info('stopped')
  return reason.endsWith('gave-up') ? 1 : 0
}
