import { join } from 'node:path'
import postgres from 'postgres'
import {
  PrivateStack,
  removeAbandonedStacks,
  type StackEndpoints,
  stackProcesses,
  statusEndpoints,
} from '../../stack/testing/index.ts'
import { raisedLimits } from './limits.ts'
import { repoRoot } from './paths.ts'

export type { StackEndpoints }

/**
 * The stack a benchmark runs against: the one the PLATER_* variables name (as `npm test` exports them), or one
 * the harness starts itself — `plater start` in a child process, on free ports, with its own data dir under
 * .stack/ — and stops (and deletes) at the end. Only a stack the harness owns can be restarted or have its
 * Postgres killed (the chaos scenario).
 */
export interface BenchStack extends StackEndpoints {
  readonly owned: boolean
  /** The stack's data dir when known (its stack.json names the API server and Postgres pids). */
  readonly dataDir: string | undefined
  /** Pid of the process serving the API (gateway, functions host, auth: `apiPid` in stack.json), when known. */
  apiPid(): number | undefined
  postgresVersion(): Promise<string | null>
  stop(): Promise<void>
}

const BENCH_DIR_PREFIX = 'bench-'
const stackRuns = join(repoRoot, '.stack')

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): StackEndpoints | undefined {
  const { PLATER_API_URL, PLATER_DB_URL, PLATER_ANON_KEY, PLATER_SERVICE_ROLE_KEY, PLATER_JWT_SECRET } = env
  if (!PLATER_API_URL || !PLATER_DB_URL || !PLATER_ANON_KEY || !PLATER_JWT_SECRET) return undefined
  return {
    apiUrl: PLATER_API_URL,
    dbUrl: PLATER_DB_URL,
    anonKey: PLATER_ANON_KEY,
    serviceRoleKey: PLATER_SERVICE_ROLE_KEY ?? '',
    jwtSecret: PLATER_JWT_SECRET,
  }
}

/** The PLATER_* variables the benchmark scripts and test helpers read. */
export function endpointsAsEnv(stack: StackEndpoints): Record<string, string> {
  return {
    PLATER_API_URL: stack.apiUrl,
    PLATER_DB_URL: stack.dbUrl,
    PLATER_ANON_KEY: stack.anonKey,
    PLATER_SERVICE_ROLE_KEY: stack.serviceRoleKey,
    PLATER_JWT_SECRET: stack.jwtSecret,
  }
}

/** For a script with its own command line: the PLATER_* variables' stack, else `npm start`'s (`plater status`). */
export function stackEndpoints(): StackEndpoints {
  return endpointsFromEnv() ?? statusEndpoints()
}

/** The server's version, or null when it does not answer. */
export async function postgresVersion(dbUrl: string): Promise<string | null> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`
    return row?.server_version ?? null
  } catch {
    return null
  } finally {
    await sql.end()
  }
}

/** A stack named by the environment: used as it is, never stopped. */
export function externalStack(endpoints: StackEndpoints): BenchStack {
  const dataDir = process.env.PLATER_DATA_DIR
  return {
    ...endpoints,
    owned: false,
    dataDir,
    apiPid: () => (dataDir ? stackProcesses(dataDir).apiPid : undefined),
    postgresVersion: () => postgresVersion(endpoints.dbUrl),
    stop: async () => {},
  }
}

/** A private stack with the harness's raised limits (bench/limits.ts), under .stack/bench-<pid>. */
export class OwnedStack implements BenchStack {
  readonly owned = true

  private constructor(readonly stack: PrivateStack) {}

  static async start(): Promise<OwnedStack> {
    await removeAbandonedStacks(stackRuns, BENCH_DIR_PREFIX)
    const dataDir = join(stackRuns, `${BENCH_DIR_PREFIX}${process.pid}`)
    const env = { PLATER_LOG_LEVEL: process.env.PLATER_LOG_LEVEL ?? 'warn', ...raisedLimits('bench-stack') }
    return new OwnedStack(await PrivateStack.start(dataDir, env))
  }

  get dataDir() {
    return this.stack.dataDir
  }
  get apiUrl() {
    return this.stack.endpoints.apiUrl
  }
  get dbUrl() {
    return this.stack.endpoints.dbUrl
  }
  get anonKey() {
    return this.stack.endpoints.anonKey
  }
  get serviceRoleKey() {
    return this.stack.endpoints.serviceRoleKey
  }
  get jwtSecret() {
    return this.stack.endpoints.jwtSecret
  }

  apiPid(): number | undefined {
    return this.stack.apiPid()
  }

  postgresVersion(): Promise<string | null> {
    return postgresVersion(this.dbUrl)
  }

  /** Its `plater start` stopped cleanly (SIGTERM) and started again, for chaos. */
  restart(): Promise<void> {
    return this.stack.down().then(() => this.stack.up())
  }

  /** SIGKILL to its Postgres, which the stack restarts by itself (chaos). */
  killPostgres(): Promise<void> {
    return this.stack.killPostgres()
  }

  stop(): Promise<void> {
    return this.stack.remove()
  }
}

/** The environment's stack if it names one, else a new one of the harness's own. */
export function openBenchStack(): Promise<BenchStack> {
  const endpoints = endpointsFromEnv()
  return endpoints ? Promise.resolve(externalStack(endpoints)) : OwnedStack.start()
}
