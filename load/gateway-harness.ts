import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { GatewaySnapshot } from '../stack/gateway/index.ts';

/** Shared plumbing of the gateway benchmarks: the stack's credentials, a gateway process, results. */

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface StackCredentials {
  readonly dbUrl: string;
  readonly jwtSecret: string;
}

/** From PLATER_DB_URL/PLATER_JWT_SECRET, else from the running stack (`plater status -o json`). */
export function stackCredentials(): StackCredentials {
  if (process.env.PLATER_DB_URL && process.env.PLATER_JWT_SECRET) {
    return { dbUrl: process.env.PLATER_DB_URL, jwtSecret: process.env.PLATER_JWT_SECRET };
  }
  const status = JSON.parse(
    execFileSync(process.execPath, ['stack/bin/plater.mjs', 'status', '-o', 'json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }),
  ) as { DB_URL: string; JWT_SECRET: string };
  return { dbUrl: status.DB_URL, jwtSecret: status.JWT_SECRET };
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

/** Starts load/gateway-serve.ts with its own replication slot and the given PLATER_REALTIME_* limits. */
export async function startGatewayProcess(
  credentials: StackCredentials,
  env: Record<string, string> = {},
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  const slot = `plater_realtime_bench_${process.pid}`;
  const nodeArgs = [
    ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
    ...(options.exposeGc ? ['--expose-gc'] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'load/gateway-serve.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PLATER_DB_URL: credentials.dbUrl,
      PLATER_JWT_SECRET: credentials.jwtSecret,
      PLATER_REALTIME_SLOT: slot,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A benchmark that dies must not leave its gateway (and replication slot) behind.
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`gateway process exited (${code})`)));
  });
  const { url, pid } = JSON.parse(line) as { url: string; pid: number };
  return {
    url,
    pid,
    slot,
    async metrics() {
      return (await (await fetch(`${url}/realtime/v1/metrics`)).json()) as GatewaySnapshot;
    },
    async collectGarbage() {
      child.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    },
    async stop() {
      process.off('exit', killChild);
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

/** Writes `load/results/<name>-<timestamp>.json` and returns its path. */
export function writeResult(name: string, result: object): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
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
}

export type WorkerCommand =
  | { readonly type: 'count' }
  /** `acks[seq]`: when the inserter saw the commit of message `seq` acknowledged (epoch ms). */
  | { readonly type: 'report'; readonly acks: Float64Array }
  | { readonly type: 'close' };

export interface SubscriberReport {
  readonly received: number;
  readonly errors: number;
  readonly open: number;
  /** hdr histograms (µs), compressed: arrival − clock_timestamp() stamp, and arrival − commit ack. */
  readonly stamp: string;
  readonly ack: string;
  /** Sampled deliveries that arrived before the inserter had processed the commit's acknowledgement. */
  readonly beforeAck: number;
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
