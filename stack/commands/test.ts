import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { envName } from '../auth/rate-limit.ts'
import { repoRoot, resolveConfig, type StackConfig } from '../config.ts'
import { createLogger, logLevelFromEnv } from '../log.ts'
import { findFreePorts } from '../ports.ts'
import { stopClusterByPidFile } from '../postgres/cluster.ts'
import { isProcessAlive } from '../process-util.ts'
import { type RunningStack, startStack } from '../stack.ts'
import { runDenoSuite } from '../testing/deno-suite.ts'
import { runLintSuite } from '../testing/lint-suite.ts'
import { runPgtapSuite } from '../testing/pgtap-suite.ts'
import { ensureSystemTestTools } from '../testing/system-tools.ts'
import type { SuiteContext, SuiteResult } from '../testing/suite.ts'
import { runVitestSuite } from '../testing/vitest-suite.ts'
import { buildConsoleIfStale } from './console-build.ts'
import { runningDbUrl } from './running-db.ts'

const TEST_RUN_PREFIX = 'test-run-'
/** Sign-ins and refreshes per IP per 5 minutes on the test stack. */
const SUITE_AUTH_RATE_LIMIT = 100_000
const testRunsDir = join(repoRoot, '.stack')

/**
 * `plater test` (`npm test`): a private stack on free ports with its own data dir, every suite against it,
 * then everything stopped and deleted. It never looks at a stack someone left running: nothing here reads the
 * developer's `.stack/stack.json`, DATABASE_URL or ports.
 * Ends with `N passed, N failed` (assertions across suites) alone on the last line; exits 1 if anything failed.
 */
export async function testCommand(): Promise<number> {
  await removeAbandonedTestRuns()
  ensureSystemTestTools(repoRoot)
  if (process.env.DATABASE_URL) {
    console.log('note: DATABASE_URL is ignored by `plater test`; it uses a private stack')
  }

  const abort = new AbortController()
  const onSignal = () => abort.abort()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const dataDir = join(testRunsDir, `${TEST_RUN_PREFIX}${process.pid}`)
  const results: SuiteResult[] = []
  let stack: RunningStack | undefined
  try {
    const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
    const stackEnv: NodeJS.ProcessEnv = {
      ...process.env,
      PLATER_DATA_DIR: dataDir,
      PLATER_API_PORT: String(apiPort),
      PLATER_DB_PORT: String(dbPort),
      // The suites sign in and refresh hundreds of times from 127.0.0.1. The limits themselves are proven with
      // config.toml's values by tests/stack/auth-edges.test.ts, on an auth of its own.
      [envName('sign_in_sign_ups')]: String(SUITE_AUTH_RATE_LIMIT),
      [envName('token_refresh')]: String(SUITE_AUTH_RATE_LIMIT),
    }
    delete stackEnv.DATABASE_URL
    const config = await resolveConfig(stackEnv)

    const log = createLogger('stack', logLevelFromEnv(process.env, 'warn'))
    await buildConsoleIfStale(log.child('console'))
    const started = Date.now()
    stack = await startStack(config, log)
    console.log(
      `test stack up in ${
        ((Date.now() - started) / 1000).toFixed(1)
      }s: ${config.apiUrl}, db port ${config.dbPort}, Node ${process.version}`,
    )

    const context: SuiteContext = {
      repoRoot,
      env: { ...stackEnv, ...suiteEnv(config), ...colorEnv() },
      dbUrl: config.dbUrl,
      signal: abort.signal,
    }
    for (const suite of [runLintSuite, runPgtapSuite, runDenoSuite, runVitestSuite]) {
      if (abort.signal.aborted) break
      results.push(await suite(context))
    }
  } catch (error) {
    console.error(`plater test: ${(error as Error).message}`)
    results.push({ name: 'stack', passed: 0, failed: 1 })
  } finally {
    await stack?.stop()
    rmSync(dataDir, { recursive: true, force: true })
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  if (abort.signal.aborted) {
    console.error('\ninterrupted: remaining suites skipped')
    results.push({ name: 'interrupted', passed: 0, failed: 1 })
  }
  return printSummary(results)
}

/**
 * `plater test db`: the pgTAP suite (tests/db) against the running stack, as `supabase test db` runs
 * supabase/tests against the local one — with the stack's own database URL, so nothing needs a password by hand
 * (the dblink sessions of tests/db/concurrency.test.sql take it from PLATER_DB_URL). The files clean up after
 * themselves (transactions rolled back; the concurrency file's throw-away restaurant is deleted).
 */
export async function testDbCommand(): Promise<number> {
  const config = await resolveConfig()
  const dbUrl = runningDbUrl(config)
  if (dbUrl === undefined) return 1
  const abort = new AbortController()
  const onSignal = () => abort.abort()
  process.on('SIGINT', onSignal)
  try {
    const result = await runPgtapSuite({
      repoRoot,
      env: { ...process.env, PLATER_DB_URL: dbUrl, ...colorEnv() },
      dbUrl,
      signal: abort.signal,
    })
    return printSummary([result])
  } finally {
    process.off('SIGINT', onSignal)
  }
}

/** The stack contract's variables for tests (docs/architecture.md). */
function suiteEnv(config: StackConfig): NodeJS.ProcessEnv {
  return {
    PLATER_API_URL: config.apiUrl,
    PLATER_DB_URL: config.dbUrl,
    PLATER_ANON_KEY: config.anonKey,
    PLATER_SERVICE_ROLE_KEY: config.serviceRoleKey,
    PLATER_JWT_SECRET: config.jwtSecret,
    PLATER_PUBLISHABLE_KEY: config.publishableKey,
    PLATER_SECRET_KEY: config.secretKey,
  }
}

/** Suites write through a pipe (we read their summaries), so tell them whether the real output is a terminal. */
function colorEnv(): NodeJS.ProcessEnv {
  return process.stdout.isTTY ? { FORCE_COLOR: '1' } : { NO_COLOR: '1', FORCE_COLOR: undefined }
}

function printSummary(results: SuiteResult[]): number {
  console.log('\n━━ summary')
  for (const result of results) {
    const detail = result.skipped
      ? `skipped (${result.skipped})`
      : `${result.passed} passed, ${result.failed} failed`
    console.log(`${result.name}: ${detail}`)
  }
  const passed = results.reduce((sum, result) => sum + result.passed, 0)
  const failed = results.reduce((sum, result) => sum + result.failed, 0)
  console.log(`${passed} passed, ${failed} failed`)
  return failed > 0 ? 1 : 0
}

/** Data dirs of earlier runs that were killed before cleaning up (their pid is gone), and their Postgres. */
async function removeAbandonedTestRuns(): Promise<void> {
  if (!existsSync(testRunsDir)) return
  for (const name of readdirSync(testRunsDir)) {
    if (!name.startsWith(TEST_RUN_PREFIX)) continue
    const pid = Number(name.slice(TEST_RUN_PREFIX.length))
    if (!Number.isInteger(pid) || isProcessAlive(pid)) continue
    const dir = join(testRunsDir, name)
    await stopClusterByPidFile(dir)
    rmSync(dir, { recursive: true, force: true })
  }
}
