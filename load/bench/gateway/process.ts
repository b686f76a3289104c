import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { type GatewaySnapshot, signApiKey, type StackEndpoints } from '../../../stack/testing/index.ts'
import { repoRoot, TSX_NODE_ARGS } from '../paths.ts'

/** A gateway under measurement: one the harness started in a process of its own, or the one a stack runs. */
export interface GatewayProcess {
  readonly url: string
  readonly pid: number
  /** Its replication slot. */
  readonly slot: string
  metrics(): Promise<GatewaySnapshot>
  /** Full GC in the gateway process (started with `exposeGc`), then a moment for it to finish. */
  collectGarbage(): Promise<void>
  stop(): Promise<void>
}

export interface GatewayProcessOptions {
  /** Writes a V8 CPU profile of the gateway there when it stops (to find a bottleneck). */
  readonly profileDir?: string
  /** Lets `collectGarbage()` run a full GC (memory runs). */
  readonly exposeGc?: boolean
}

/** The metrics need the secret key: the legacy service_role key, signed with the JWT secret. */
async function gatewayMetrics(url: string, jwtSecret: string): Promise<GatewaySnapshot> {
  const apikey = await signApiKey(jwtSecret, 'service_role', Math.floor(Date.now() / 1000))
  return (await (await fetch(`${url}/realtime/v1/metrics`, { headers: { apikey } }))
    .json()) as GatewaySnapshot
}

/**
 * The gateway a stack already runs (in its API process, `pid`), measured like a started one and never
 * stopped: one decoder of the WAL, as on hosted Supabase, instead of a second gateway beside it.
 */
export async function stackGateway(
  credentials: Pick<StackEndpoints, 'apiUrl' | 'jwtSecret'>,
  pid: number,
): Promise<GatewayProcess> {
  const url = credentials.apiUrl.replace(/\/$/, '')
  const { ingest } = await gatewayMetrics(url, credentials.jwtSecret)
  return {
    url,
    pid,
    slot: ingest.slot,
    metrics: () => gatewayMetrics(url, credentials.jwtSecret),
    collectGarbage() {
      return Promise.reject(new Error("a stack's gateway cannot be made to collect garbage from outside"))
    },
    async stop() {},
  }
}

/** Starts ./serve.ts (load/bench/gateway/serve.ts) with its own replication slot and the given PLATER_REALTIME_* limits. */
export async function startGatewayProcess(
  credentials: Pick<StackEndpoints, 'dbUrl' | 'jwtSecret'>,
  env: Record<string, string> = {},
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  const slot = `plater_realtime_bench_${process.pid}`
  const nodeArgs = [
    ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
    ...(options.exposeGc ? ['--expose-gc'] : []),
  ]
  const { child, url, pid, stop } = await startServerProcess('load/bench/gateway/serve.ts', nodeArgs, {
    PLATER_DB_URL: credentials.dbUrl,
    PLATER_JWT_SECRET: credentials.jwtSecret,
    PLATER_REALTIME_SLOT: slot,
    ...env,
  })
  return {
    url,
    pid,
    slot,
    metrics: () => gatewayMetrics(url, credentials.jwtSecret),
    async collectGarbage() {
      child.kill('SIGUSR2')
      await new Promise((resolve) => setTimeout(resolve, 1000))
    },
    stop,
  }
}

/**
 * Starts a server script of the harness (the gateway, a baseline) in its own process, so its CPU and RSS are
 * measured apart from the load generator, and in its own session, so the kernel's autogroup schedules it apart from
 * the load generator too, as a service of its own (stack/gateway/event-loop-priority.ts). It prints one JSON line
 * `{"url", "pid"}` once it listens. An IPC channel is open for scripts that take commands. A benchmark that dies
 * must not leave it behind.
 */
export async function startServerProcess(
  script: string,
  nodeArgs: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...TSX_NODE_ARGS, script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    detached: true,
  })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)))
  })
  const { url, pid } = JSON.parse(line) as { url: string; pid: number }
  const killChild = () => child.kill('SIGTERM')
  process.once('exit', killChild)
  return {
    child,
    url,
    pid,
    async stop() {
      process.off('exit', killChild)
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** Waits until the gateway's replication stream is up, so no benchmark insert predates the slot. */
export async function waitForIngest(gateway: GatewayProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await gateway.metrics()).ingest.connected) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the gateway did not start streaming')
}
