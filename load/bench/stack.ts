import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { stopClusterByPidFile } from '../../stack/postgres/cluster.ts';
import { findFreePorts } from '../../stack/ports.ts';
import { isProcessAlive } from '../../stack/process-util.ts';
import { readStackState } from '../../stack/state.ts';
import { repoRoot } from '../gateway-harness.ts';
import { raisedLimits } from './limits.ts';

/**
 * The stack a benchmark runs against: the one the PLATER_* variables name (as `npm test` exports them), or one
 * the harness starts itself — `plater start` in a child process, on free ports, with its own data dir under
 * .stack/ — and stops (and deletes) at the end. Only a stack the harness owns can be restarted or have its
 * Postgres killed (the chaos scenario).
 */
export interface StackEndpoints {
  readonly apiUrl: string;
  readonly dbUrl: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly jwtSecret: string;
}

export interface BenchStack extends StackEndpoints {
  readonly owned: boolean;
  /** The stack's data dir when known (its stack.json names the API server and Postgres pids). */
  readonly dataDir: string | undefined;
  /** Pid of the process serving the API (gateway, functions host, auth: `apiPid` in stack.json), when known. */
  apiPid(): number | undefined;
  postgresVersion(): Promise<string | null>;
  stop(): Promise<void>;
}

const BENCH_DIR_PREFIX = 'bench-';
const stackRuns = join(repoRoot, '.stack');

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): StackEndpoints | undefined {
  const { PLATER_API_URL, PLATER_DB_URL, PLATER_ANON_KEY, PLATER_SERVICE_ROLE_KEY, PLATER_JWT_SECRET } = env;
  if (!PLATER_API_URL || !PLATER_DB_URL || !PLATER_ANON_KEY || !PLATER_JWT_SECRET) return undefined;
  return {
    apiUrl: PLATER_API_URL,
    dbUrl: PLATER_DB_URL,
    anonKey: PLATER_ANON_KEY,
    serviceRoleKey: PLATER_SERVICE_ROLE_KEY ?? '',
    jwtSecret: PLATER_JWT_SECRET,
  };
}

/** The PLATER_* variables the existing benchmark scripts and test helpers read. */
export function endpointsAsEnv(stack: StackEndpoints): Record<string, string> {
  return {
    PLATER_API_URL: stack.apiUrl,
    PLATER_DB_URL: stack.dbUrl,
    PLATER_ANON_KEY: stack.anonKey,
    PLATER_SERVICE_ROLE_KEY: stack.serviceRoleKey,
    PLATER_JWT_SECRET: stack.jwtSecret,
  };
}

async function postgresVersion(dbUrl: string): Promise<string | null> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    return row?.server_version ?? null;
  } catch {
    return null;
  } finally {
    await sql.end();
  }
}

/** A stack named by the environment: used as it is, never stopped. */
export function externalStack(endpoints: StackEndpoints): BenchStack {
  const dataDir = process.env.PLATER_DATA_DIR;
  return {
    ...endpoints,
    owned: false,
    dataDir,
    apiPid: () => (dataDir ? readStackState(dataDir)?.apiPid : undefined),
    postgresVersion: () => postgresVersion(endpoints.dbUrl),
    stop: async () => {},
  };
}

/** `plater start` in a child process that the harness can stop, restart, or take Postgres away from. */
export class OwnedStack implements BenchStack {
  readonly owned = true;
  #child: ChildProcess | undefined;
  #endpoints: StackEndpoints | undefined;

  private constructor(
    readonly dataDir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(): Promise<OwnedStack> {
    await removeAbandonedBenchStacks();
    const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2);
    const dataDir = join(stackRuns, `${BENCH_DIR_PREFIX}${process.pid}`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PLATER_DATA_DIR: dataDir,
      PLATER_API_PORT: String(apiPort),
      PLATER_DB_PORT: String(dbPort),
      PLATER_LOG_LEVEL: process.env.PLATER_LOG_LEVEL ?? 'warn',
      ...raisedLimits('bench-stack'),
    };
    delete env.DATABASE_URL;
    const stack = new OwnedStack(dataDir, env);
    await stack.up();
    return stack;
  }

  get apiUrl() {
    return this.#need().apiUrl;
  }
  get dbUrl() {
    return this.#need().dbUrl;
  }
  get anonKey() {
    return this.#need().anonKey;
  }
  get serviceRoleKey() {
    return this.#need().serviceRoleKey;
  }
  get jwtSecret() {
    return this.#need().jwtSecret;
  }

  /** The supervised API process, not `plater start` (its pid changes when the supervisor restarts it). */
  apiPid(): number | undefined {
    return this.#child ? readStackState(this.dataDir)?.apiPid : undefined;
  }

  postgresPid(): number | undefined {
    return readStackState(this.dataDir)?.postgresPid;
  }

  postgresVersion(): Promise<string | null> {
    return postgresVersion(this.dbUrl);
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
    });
    this.#child = child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 180_000;
    for (;;) {
      const state = readStackState(this.dataDir);
      if (state?.pid === child.pid && state?.postgresPid !== undefined) break;
      const code = await Promise.race([exited, sleep(200).then(() => 'waiting' as const)]);
      if (code !== 'waiting') throw new Error(`the bench stack exited while starting (code ${code}); see ${this.dataDir}`);
      if (Date.now() > deadline) throw new Error('the bench stack did not start within 3 minutes');
    }
    if (!this.#endpoints) {
      const status = JSON.parse(
        execFileSync(process.execPath, ['stack/bin/plater.mjs', 'status', '-o', 'json'], {
          cwd: repoRoot,
          env: this.env,
          encoding: 'utf8',
        }),
      ) as { API_URL: string; DB_URL: string; ANON_KEY: string; SERVICE_ROLE_KEY: string; JWT_SECRET: string };
      this.#endpoints = {
        apiUrl: status.API_URL,
        dbUrl: status.DB_URL,
        anonKey: status.ANON_KEY,
        serviceRoleKey: status.SERVICE_ROLE_KEY,
        jwtSecret: status.JWT_SECRET,
      };
    }
  }

  /** A clean stop (`plater start` gets SIGTERM, as Ctrl-C would), waiting for it to exit. */
  async down(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /**
   * SIGKILL to the postmaster (a crash). The stack restarts its Postgres by itself and records the new pid in
   * stack.json; this waits for that, up to 3 minutes.
   */
  async killPostgres(): Promise<void> {
    const pid = this.postgresPid();
    if (!pid || !this.#child) throw new Error('the bench stack is not running');
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 180_000;
    for (;;) {
      const restarted = this.postgresPid();
      if (restarted !== undefined && restarted !== pid) return;
      if (this.#child?.exitCode !== null) throw new Error('the bench stack exited after its Postgres was killed');
      if (Date.now() > deadline) throw new Error('the bench stack did not restart its Postgres within 3 minutes');
      await sleep(200);
    }
  }

  async stop(): Promise<void> {
    await this.down();
    await stopClusterByPidFile(this.dataDir);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  #need(): StackEndpoints {
    if (!this.#endpoints) throw new Error('the bench stack has not started');
    return this.#endpoints;
  }
}

/** Data dirs of bench stacks whose harness died before cleaning up, and their Postgres. */
async function removeAbandonedBenchStacks(): Promise<void> {
  if (!existsSync(stackRuns)) return;
  for (const name of readdirSync(stackRuns)) {
    if (!name.startsWith(BENCH_DIR_PREFIX)) continue;
    const pid = Number(name.slice(BENCH_DIR_PREFIX.length));
    if (!Number.isInteger(pid) || isProcessAlive(pid)) continue;
    const dir = join(stackRuns, name);
    await stopClusterByPidFile(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment's stack if it names one, else a new one of the harness's own. */
export async function openBenchStack(): Promise<BenchStack> {
  const endpoints = endpointsFromEnv();
  return endpoints ? externalStack(endpoints) : OwnedStack.start();
}
