import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { StackConfig } from '../config.ts'
import { stopOrphanedWorkers } from '../functions-host/index.ts'
import type { Logger } from '../log.ts'
import { RestartBackoff } from '../../shared/backoff.ts'
import { systemClock } from '../../shared/clock.ts'
import { processArgs, waitForProcessExit } from '../process-util.ts'
import { RESTART_BACKOFF } from '../restart-backoff.ts'
import type { FromApiProcess, ToApiProcess } from './child-protocol.ts'
import type { ApiRestarts } from './health.ts'

const ENTRY = fileURLToPath(new URL('./child.mjs', import.meta.url))
/** How long a stop waits for the API process to close its connections before killing it. */
const STOP_TIMEOUT_MS = 30_000
/** How long a leftover API process may take to exit after SIGKILL (it cannot catch it; this is the kernel's time). */
const LEFTOVER_EXIT_TIMEOUT_MS = 5_000

export interface SupervisedApi {
  /** The current API process's pid (a new one after each restart). */
  readonly pid: number
  /** How many times the API process was restarted after it died. */
  readonly restarts: number
  /** Resolves with the last error when restarting has failed RESTART_BACKOFF.maxFailedStarts times in a row. */
  readonly gaveUp: Promise<Error>
  stop(): Promise<void>
}

export interface ApiSupervisorOptions {
  /** After a restart (the new pid). */
  onRestart?(pid: number): void
}

interface ApiProcess {
  readonly child: ChildProcess
  /** How it ended: `exit code 1`, `signal SIGKILL`. */
  readonly exited: Promise<string>
}

/**
 * The API server (gateway, functions host, auth, console) in a child process, started again with backoff when it
 * dies — an uncaught error, an out-of-memory kill, a SIGKILL — as stack/postgres/supervisor.ts does for Postgres.
 * Clients reconnect on their own, as after any restart of a hosted service; `/health` reports the restarts.
 */
export async function superviseApiServer(
  config: StackConfig,
  log: Logger,
  options: ApiSupervisorOptions = {},
): Promise<SupervisedApi> {
  let current = await startApiProcess(config, log, { restarts: 0 })
  const backoff = new RestartBackoff(RESTART_BACKOFF, Math.random, systemClock)
  let stopping = false
  let restarting: Promise<void> | undefined
  let restarts = 0
  let giveUp: (error: Error) => void = () => {}
  const gaveUp = new Promise<Error>((resolve) => (giveUp = resolve))

  const restart = async (how: string): Promise<void> => {
    backoff.stopped()
    // workers a stuck host left behind would hold memory and their sockets' names
    stopOrphanedWorkers(current.child.pid!)
    for (;;) {
      const delay = backoff.next()
      log.error(
        `the API process exited unexpectedly (${how}); restarting in ${delay} ms (attempt ${backoff.attempts})`,
      )
      await sleep(delay)
      if (stopping) return
      const lastRestart = { at: new Date().toISOString(), reason: how }
      try {
        current = await startApiProcess(config, log, { restarts: restarts + 1, lastRestart })
      } catch (error) {
        how = `restart failed: ${(error as Error).message.split('\n')[0]}`
        if (backoff.attempts >= RESTART_BACKOFF.maxFailedStarts) {
          log.error(
            `the API process could not be restarted after ${RESTART_BACKOFF.maxFailedStarts} attempts; giving up`,
          )
          giveUp(error as Error)
          return
        }
        continue
      }
      backoff.started()
      restarts += 1
      log.info(`the API process restarted (pid ${current.child.pid}); clients reconnect on their own`)
      options.onRestart?.(current.child.pid!)
      watch(current)
      return
    }
  }
  const watch = (api: ApiProcess) => {
    void api.exited.then((how) => {
      if (stopping || api !== current) return
      restarting = restart(how).finally(() => (restarting = undefined))
    })
  }
  watch(current)

  return {
    get pid() {
      return current.child.pid!
    },
    get restarts() {
      return restarts
    },
    gaveUp,
    async stop() {
      stopping = true
      await restarting
      await stopApiProcess(current)
    },
  }
}

/** Forks the API process and resolves once it listens; rejects (after it exited) with why it could not start. */
function startApiProcess(config: StackConfig, log: Logger, restarts: ApiRestarts): Promise<ApiProcess> {
  // detached: a session of its own, so a Ctrl-C in the terminal reaches only the stack's process (which decides
  // when this one stops), and the gateway's PLATER_REALTIME_NICE can rank its own autogroup (event-loop-priority.ts)
  const child = fork(ENTRY, [], {
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  })
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`))
  })
  let failure: string | undefined
  const listening = new Promise<void>((resolve) => {
    child.on('message', (message: FromApiProcess) => {
      if (message.type === 'log') {
        message.scopes.reduce((scoped, scope) => scoped.child(scope), log)[message.level](
          message.message,
          message.fields,
        )
      } else if (message.type === 'listening') resolve()
      else failure = message.message
    })
  })
  // A send to a process that has just died fails; its exit says what happened.
  child.on('error', (error) => log.debug('API process channel error', { error }))
  const start: ToApiProcess = { type: 'start', config, restarts }
  child.send(start)
  return Promise.race([
    listening.then(() => ({ child, exited })),
    exited.then((how) => {
      throw new Error(failure ?? `the API process exited while starting (${how})`)
    }),
  ])
}

async function stopApiProcess(api: ApiProcess): Promise<void> {
  if (api.child.exitCode !== null || api.child.signalCode !== null) return
  const stop: ToApiProcess = { type: 'stop' }
  api.child.send(stop)
  const timer = setTimeout(() => api.child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await api.exited
  clearTimeout(timer)
}

/**
 * Kills the API process of a stack that was killed, when `pid` still is one. It exits by itself once it notices its
 * parent is gone, but only after closing its connections (up to its close deadline), and a stopped or stuck one
 * never does; meanwhile it holds its memory and, while listening, the API port a new stack needs. False when `pid`
 * is gone or is some other process (pids are reused).
 */
export async function stopLeftoverApiProcess(pid: number): Promise<boolean> {
  if (processArgs(pid)?.[1] !== ENTRY) return false // gone, not ours to read, or another process
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    return false // exited meanwhile
  }
  if (!(await waitForProcessExit(pid, LEFTOVER_EXIT_TIMEOUT_MS))) {
    throw new Error(`the API process ${pid} of an earlier stack did not exit after SIGKILL`)
  }
  return true
}
