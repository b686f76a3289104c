import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { GatewaySnapshot } from '../stack/gateway/index.ts';
import { signApiKey } from '../stack/api-keys.ts';

/** Shared plumbing of the gateway benchmarks: the stack's credentials, a gateway process, results. */

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface StackCredentials {
  readonly dbUrl: string;
  readonly jwtSecret: string;
  readonly apiUrl: string;
}

/** From PLATER_DB_URL/PLATER_JWT_SECRET/PLATER_API_URL, else from the running stack (`plater status -o json`). */
export function stackCredentials(): StackCredentials {
  if (process.env.PLATER_DB_URL && process.env.PLATER_JWT_SECRET && process.env.PLATER_API_URL) {
    return { dbUrl: process.env.PLATER_DB_URL, jwtSecret: process.env.PLATER_JWT_SECRET, apiUrl: process.env.PLATER_API_URL };
  }
  const status = JSON.parse(
    execFileSync(process.execPath, ['stack/bin/plater.mjs', 'status', '-o', 'json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }),
  ) as { DB_URL: string; JWT_SECRET: string; API_URL: string };
  return { dbUrl: status.DB_URL, jwtSecret: status.JWT_SECRET, apiUrl: status.API_URL };
}

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  /** Its replication slot. */
  readonly slot: string;
  metrics(): Promise<GatewaySnapshot>;
  /** Full GC in the gateway process (started with `exposeGc`), then a moment for it to finish. */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Writes a V8 CPU profile of the gateway there when it stops (to find a bottleneck). */
  readonly profileDir?: string;
  /** Lets `collectGarbage()` run a full GC (memory runs). */
  readonly exposeGc?: boolean;
}

/** The metrics need the secret key: the legacy service_role key, signed with the JWT secret. */
async function gatewayMetrics(url: string, jwtSecret: string): Promise<GatewaySnapshot> {
  const apikey = await signApiKey(jwtSecret, 'service_role', Math.floor(Date.now() / 1000));
  return (await (await fetch(`${url}/realtime/v1/metrics`, { headers: { apikey } })).json()) as GatewaySnapshot;
}

/**
 * The gateway a stack already runs (in its API process, `pid`), measured like a started one and never
 * stopped: one decoder of the WAL, as on hosted Supabase, instead of a second gateway beside it.
 */
export async function stackGateway(credentials: Pick<StackCredentials, 'apiUrl' | 'jwtSecret'>, pid: number): Promise<GatewayProcess> {
  const url = credentials.apiUrl.replace(/\/$/, '');
  const { ingest } = await gatewayMetrics(url, credentials.jwtSecret);
  return {
    url,
    pid,
    slot: ingest.slot,
    metrics: () => gatewayMetrics(url, credentials.jwtSecret),
    async collectGarbage() {
      throw new Error("a stack's gateway cannot be made to collect garbage from outside");
    },
    async stop() {},
  };
}

/** Starts load/gateway-serve.ts with its own replication slot and the given PLATER_REALTIME_* limits. */
export async function startGatewayProcess(
  credentials: Pick<StackCredentials, 'dbUrl' | 'jwtSecret'>,
  env: Record<string, string> = {},
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  const slot = `plater_realtime_bench_${process.pid}`;
  const nodeArgs = [
    ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
    ...(options.exposeGc ? ['--expose-gc'] : []),
  ];
  const { child, url, pid, stop } = await startServerProcess('load/gateway-serve.ts', nodeArgs, {
    PLATER_DB_URL: credentials.dbUrl,
    PLATER_JWT_SECRET: credentials.jwtSecret,
    PLATER_REALTIME_SLOT: slot,
    ...env,
  });
  return {
    url,
    pid,
    slot,
    metrics: () => gatewayMetrics(url, credentials.jwtSecret),
    async collectGarbage() {
      child.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    },
    stop,
  };
}

/**
 * Starts a server script of the harness (the gateway, a baseline) in its own process, so its CPU and RSS are
 * measured apart from the load generator; it prints one JSON line `{"url", "pid"}` once it listens. An IPC
 * channel is open for scripts that take commands. A benchmark that dies must not leave it behind.
 */
export async function startServerProcess(
  script: string,
  nodeArgs: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
  const { url, pid } = JSON.parse(line) as { url: string; pid: number };
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  return {
    child,
    url,
    pid,
    async stop() {
      process.off('exit', killChild);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Waits until the gateway's replication stream is up, so no benchmark insert predates the slot. */
export async function waitForIngest(gateway: GatewayProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await gateway.metrics()).ingest.connected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the gateway did not start streaming');
}

/**
 * Writes `load/results/<name>-<timestamp>.json` and returns its path. Under `npm run bench`, which keeps its own
 * record of the run, PLATER_BENCH_RESULTS_DIR sends the script's file elsewhere so the run is not counted twice.
 */
export function writeResult(name: string, result: object): string {
  const dir = process.env.PLATER_BENCH_RESULTS_DIR ? `${process.env.PLATER_BENCH_RESULTS_DIR}/` : fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = `${dir}${name}-${stamp}.json`;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export function machine() {
  return { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem() };
}

/**
 * How busy the machine was: load average and the share of time runnable tasks waited for a CPU (Linux PSI).
 * Benchmarks on a shared two-core machine are only comparable with this next to them.
 */
export function contention() {
  const psi = (() => {
    try {
      return /avg10=([\d.]+) avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    } catch {
      return null;
    }
  })();
  return {
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
    cpuPressureSomeAvg60: psi ? Number(psi[2]) : null,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface SubscriberConfig {
  readonly url: string;
  readonly apikey: string;
  readonly topic: string;
  readonly count: number;
  /** Every n-th socket decodes with realtime-js and measures latency; 0 = none. */
  readonly sampleEvery: number;
  readonly join: boolean;
  /** Join at this steady rate (this worker's share) once every socket is connected; else right after connecting. */
  readonly joinsPerSecond?: number;
}

/** A subscriber worker's first message: its sockets are open (and joined), and how that went. */
export interface SubscribersReady {
  readonly ready: true;
  readonly connectSeconds: number;
  readonly joinSeconds: number;
  /** Join replies by status ('ok', 'error'). */
  readonly joinStatuses: Record<string, number>;
}

export type WorkerCommand =
  | { readonly type: 'count' }
  /** Starts a new measured step (seqs 1…maxSeq): counters, per-socket seq tracking and samples back to zero. */
  | { readonly type: 'reset'; readonly maxSeq: number }
  | { readonly type: 'report' }
  | { readonly type: 'close' };

export interface SubscriberReport {
  readonly received: number;
  /** Epoch ms of the latest delivery counted since the last reset (0: none). */
  readonly lastArrival: number;
  readonly errors: number;
  readonly open: number;
  /** Per socket: deliveries of the measured event, seqs seen again, arrivals below a seq already seen. */
  readonly perSocketReceived: Int32Array;
  readonly perSocketDuplicates: Int32Array;
  readonly perSocketOutOfOrder: Int32Array;
  /**
   * Sampled deliveries as triples (ms): arrival − `t` (the source's own clock stamp: clock_timestamp() in the
   * database's transaction, or the bare server's send time), arrival − `due` (the generator's scheduled time), and
   * `due` itself (epoch ms), not clamped: a negative value means clock skew or an early send.
   */
  readonly samples: Float64Array;
}

/** Latencies are recorded in microseconds, up to two minutes, at three significant digits. */
export const HISTOGRAM = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

/** Asks every worker the same question and collects the answers. */
export function ask<T, C = WorkerCommand>(workers: Worker[], command: C): Promise<T[]> {
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<T>((resolve) => {
          worker.once('message', resolve);
          worker.postMessage(command);
        }),
    ),
  );
}

/**
 * A worker thread running load/gateway-subscribers.ts. Loader hooks are per thread and Node 20 loads a
 * worker's entry before `--import` hooks apply, so the worker registers tsx itself, then imports the file.
 */
export function startSubscriberWorker(config: SubscriberConfig): Worker {
  const entry = new URL('./gateway-subscribers.ts', import.meta.url).href;
  return new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    {
      eval: true,
      workerData: config,
    },
  );
}
