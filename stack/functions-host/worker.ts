import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { RestartBackoff } from '../../shared/backoff.ts'
import { type Clock, systemClock } from '../../shared/clock.ts'
import type { Logger } from '../log.ts'
import { RESTART_BACKOFF } from '../restart-backoff.ts'
import type { FunctionSpec } from './config.ts'

/** Where a worker listens: a Unix socket (POSIX) or a loopback port. */
export type Endpoint = { socketPath: string } | { port: number }

export interface WorkerOptions {
  spec: FunctionSpec
  /** A Unix socket path for the worker, or 'tcp' for a loopback port of the OS's choosing. */
  listen: string
  /** The deno binary. */
  deno: string
  /** Absolute path of worker-bootstrap.js. */
  bootstrap: string
  /** The project's deno.json (nodeModulesDir "none"). */
  denoConfig: string
  cwd: string
  env: NodeJS.ProcessEnv
  log: Logger
}

const READY = /^PLATER_WORKER_READY (.+)$/
const STOP_GRACE_MS = 3_000

// The permissions a hosted function has in practice: network (Postgres, fetch), env, reading its own files.
const PERMISSIONS = ['--allow-net', '--allow-env', '--allow-read', '--allow-sys']

/**
 * One function in one long-lived `deno run` process on a private Unix socket (or loopback port). Restarted with
 * backoff when it exits; `endpoint()` waits for the current (or next) process to listen.
 */
export class FunctionWorker {
  readonly name: string
  #child: ChildProcess | undefined
  #endpoint: Endpoint | undefined
  #waiters: Array<{ resolve: (endpoint: Endpoint) => void; reject: (error: Error) => void; timer: unknown }> =
    []
  #stopping = false
  readonly #clock: Clock
  readonly #backoff: RestartBackoff
  #startedAt = 0
  #restartTimer: unknown
  #restarts = 0

  constructor(private readonly options: WorkerOptions) {
    this.name = options.spec.name
    this.#clock = systemClock
    this.#backoff = new RestartBackoff(RESTART_BACKOFF, Math.random, this.#clock)
  }

  get restarts(): number {
    return this.#restarts
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  start(): void {
    const { spec, deno, bootstrap, denoConfig, cwd, env, log, listen } = this.options
    this.#startedAt = this.#clock.now()
    this.#backoff.started()
    this.#endpoint = undefined
    const child = spawn(
      deno,
      [
        'run',
        '--quiet',
        '--no-prompt',
        `--config=${denoConfig}`,
        ...PERMISSIONS,
        // its own socket file, nothing else
        ...(listen === 'tcp' ? [] : [`--allow-write=${listen}`]),
        bootstrap,
        spec.name,
        spec.entrypoint,
        listen,
      ],
      // stdin stays open and unused: the worker exits when it closes, i.e. when this process is gone
      { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] },
    )
    this.#child = child

    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = READY.exec(line)
      if (ready && this.#child === child) {
        const where = ready[1]!
        const endpoint: Endpoint = /^\d+$/.test(where) ? { port: Number(where) } : { socketPath: where }
        this.#endpoint = endpoint
        log.debug('ready', { pid: child.pid, ...endpoint, ms: this.#clock.now() - this.#startedAt })
        for (const waiter of this.#waiters.splice(0)) {
          this.#clock.clearTimeout(waiter.timer)
          waiter.resolve(endpoint)
        }
      } else if (line.trim() !== '') {
        log.info(line)
      }
    })
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim() !== '') log.warn(line)
    })

    child.once('error', (error) => log.error('could not start deno', { error }))
    child.once('exit', (code, signal) => {
      if (this.#child !== child) return
      this.#child = undefined
      this.#endpoint = undefined
      if (this.#stopping) return
      this.#backoff.stopped()
      const delay = this.#backoff.next()
      this.#restarts += 1
      log.warn(`worker exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`)
      this.#restartTimer = this.#clock.setTimeout(() => {
        this.#restartTimer = undefined
        if (!this.#stopping) this.start()
      }, delay)
    })
  }

  /** Where a listening worker is, waiting up to `timeoutMs` for one. */
  endpoint(timeoutMs: number): Promise<Endpoint> {
    if (this.#endpoint !== undefined) return Promise.resolve(this.#endpoint)
    if (this.#stopping) return Promise.reject(new Error(`function ${this.name} is stopped`))
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.timer !== timer)
        reject(new Error(`function ${this.name} did not start within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiters.push({ resolve, reject, timer })
    })
  }

  /** The worker answered with a broken connection: if its process is gone, forget its endpoint at once. */
  noteConnectionFailure(endpoint: Endpoint): void {
    if (this.#endpoint === endpoint && (this.#child === undefined || this.#child.exitCode !== null)) {
      this.#endpoint = undefined
    }
  }

  /** Whether the worker process exited (or is exiting): a broken connection was then a crash, not a stale socket. */
  async diedRecently(): Promise<boolean> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return true
    await new Promise((resolve) => setTimeout(resolve, 25)) // the exit event trails the socket reset
    return this.#child !== child || child.exitCode !== null || child.signalCode !== null
  }

  async stop(): Promise<void> {
    this.#stopping = true
    if (this.#restartTimer !== undefined) this.#clock.clearTimeout(this.#restartTimer)
    for (const waiter of this.#waiters.splice(0)) {
      this.#clock.clearTimeout(waiter.timer)
      waiter.reject(new Error(`function ${this.name} is stopping`))
    }
    const child = this.#child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    await exited
    clearTimeout(timer)
  }
}
