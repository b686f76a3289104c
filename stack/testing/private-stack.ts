import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULTS, repoRoot } from '../config.ts'
import { stopClusterByPidFile } from '../postgres/cluster.ts'
import { findFreePorts } from '../ports.ts'
import { isProcessAlive } from '../process-util.ts'
import { readStackState, runningStack } from '../state.ts'

/** What a client of a running stack needs to reach it (the values `plater status` prints). */
export interface StackEndpoints {
  readonly apiUrl: string
  readonly dbUrl: string
  readonly anonKey: string
  readonly serviceRoleKey: string
  readonly jwtSecret: string
}

/** The processes of the stack whose data dir this is, as its stack.json names them (running or not). */
export function stackProcesses(dataDir: string): { apiPid?: number; postgresPid?: number } {
  const state = readStackState(dataDir)
  return { apiPid: state?.apiPid, postgresPid: state?.postgresPid }
}

/** The API process (gateway, functions host, auth) of `npm start`'s stack, or PLATER_DATA_DIR's, if it runs. */
export function runningStackApiPid(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return runningStack(env.PLATER_DATA_DIR ?? join(repoRoot, DEFAULTS.dataDir))?.apiPid
}

/** `plater status -o json` of the stack `env` names (PLATER_DATA_DIR, ports), as endpoints. */
export function statusEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const status = JSON.parse(
    execFileSync(process.execPath, ['stack/bin/plater.mjs', 'status', '-o', 'json'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
    }),
  ) as { API_URL: string; DB_URL: string; ANON_KEY: string; SERVICE_ROLE_KEY: string; JWT_SECRET: string }
  return {
    apiUrl: status.API_URL,
    dbUrl: status.DB_URL,
    anonKey: status.ANON_KEY,
    serviceRoleKey: status.SERVICE_ROLE_KEY,
    jwtSecret: status.JWT_SECRET,
  }
}

/**
 * A stack of the caller's own: `plater start` in a child process, on free ports, with its own data dir, that the
 * caller can stop and start again, take Postgres away from (a crash), and remove. The load harness runs its
 * benchmarks on one; `extraEnv` sets its limits and log level.
 */
export class PrivateStack {
  #child: ChildProcess | undefined
  #endpoints: StackEndpoints | undefined

  private constructor(
    readonly dataDir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(dataDir: string, extraEnv: Record<string, string> = {}): Promise<PrivateStack> {
    const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PLATER_DATA_DIR: dataDir,
      PLATER_API_PORT: String(apiPort),
      PLATER_DB_PORT: String(dbPort),
      ...extraEnv,
    }
    delete env.DATABASE_URL
    const stack = new PrivateStack(dataDir, env)
    await stack.up()
    return stack
  }

  get endpoints(): StackEndpoints {
    if (!this.#endpoints) throw new Error('the private stack has not started')
    return this.#endpoints
  }

  /** The supervised API process, not `plater start` (its pid changes when the supervisor restarts it). */
  apiPid(): number | undefined {
    return this.#child ? readStackState(this.dataDir)?.apiPid : undefined
  }

  postgresPid(): number | undefined {
    return readStackState(this.dataDir)?.postgresPid
  }

  /**
   * Starts `plater start` and waits until its stack.json names the running Postgres: the file is written once when
   * the start begins (so a second start sees it) and again, with `postgresPid`, when everything is up.
   */
  async up(): Promise<void> {
    const child = spawn(process.execPath, ['stack/bin/plater.mjs', 'start'], {
      cwd: repoRoot,
      env: this.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    this.#child = child
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const deadline = Date.now() + 180_000
    for (;;) {
      const state = readStackState(this.dataDir)
      if (state?.pid === child.pid && state?.postgresPid !== undefined) break
      const code = await Promise.race([exited, sleep(200).then(() => 'waiting' as const)])
      if (code !== 'waiting') {
        throw new Error(`the private stack exited while starting (code ${code}); see ${this.dataDir}`)
      }
      if (Date.now() > deadline) throw new Error('the private stack did not start within 3 minutes')
    }
    this.#endpoints ??= statusEndpoints(this.env)
  }

  /** A clean stop (`plater start` gets SIGTERM, as Ctrl-C would), waiting for it to exit. */
  async down(): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }

  /**
   * SIGKILL to the postmaster (a crash). The stack restarts its Postgres by itself and records the new pid in
   * stack.json; this waits for that, up to 3 minutes.
   */
  async killPostgres(): Promise<void> {
    const pid = this.postgresPid()
    if (!pid || !this.#child) throw new Error('the private stack is not running')
    process.kill(pid, 'SIGKILL')
    const deadline = Date.now() + 180_000
    for (;;) {
      const restarted = this.postgresPid()
      if (restarted !== undefined && restarted !== pid) return
      if (this.#child?.exitCode !== null) {
        throw new Error('the private stack exited after its Postgres was killed')
      }
      if (Date.now() > deadline) {
        throw new Error('the private stack did not restart its Postgres within 3 minutes')
      }
      await sleep(200)
    }
  }

  /** Stops it, with its Postgres, and deletes its data dir. */
  async remove(): Promise<void> {
    await this.down()
    await removeStackDir(this.dataDir)
  }
}

async function removeStackDir(dataDir: string): Promise<void> {
  await stopClusterByPidFile(dataDir)
  rmSync(dataDir, { recursive: true, force: true })
}

/**
 * Data dirs `<parent>/<prefix><pid>` of private stacks whose owner (process `pid`) died before removing them, with
 * their Postgres.
 */
export async function removeAbandonedStacks(parent: string, prefix: string): Promise<void> {
  if (!existsSync(parent)) return
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue
    const pid = Number(name.slice(prefix.length))
    if (Number.isInteger(pid) && !isProcessAlive(pid)) await removeStackDir(join(parent, name))
  }
}
