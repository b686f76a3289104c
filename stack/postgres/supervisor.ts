import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedPostgres, type EmbeddedPostgresOptions, startEmbeddedPostgres } from './cluster.ts';

// Restart backoff: 250 ms doubling to 10 s; a server that stayed up for a minute starts the count again.
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;
const STABLE_AFTER_MS = 60_000;
/** Consecutive failed starts after which the supervisor gives up (a cluster that cannot start needs a person). */
const MAX_FAILED_STARTS = 8;

export interface SupervisedPostgres {
  /** The current server's pid (a new one after each restart). */
  readonly pid: number;
  readonly port: number;
  /** How many times the server was restarted after exiting on its own. */
  readonly restarts: number;
  /** Resolves with the last error when restarting has failed MAX_FAILED_STARTS times in a row. */
  readonly gaveUp: Promise<Error>;
  stop(): Promise<void>;
}

export interface SupervisorOptions extends EmbeddedPostgresOptions {
  /** After a restart (the new pid). */
  onRestart?(pid: number): void;
  /** Awaited before each restart attempt: lets a test hold the database down while it looks at the stack. */
  beforeRestart?(): Promise<void>;
}

/**
 * The stack's Postgres, restarted with backoff (every step logged) when it exits without being asked to — a
 * crash, a kill, an OOM — as a managed platform restarts a project's database. Clients reconnect on their own:
 * the functions' pools, the gateway's replication ingest (which resumes from its slot), health, auth.
 */
export async function superviseEmbeddedPostgres(options: SupervisorOptions): Promise<SupervisedPostgres> {
  const { log } = options;
  let current: EmbeddedPostgres = await startEmbeddedPostgres(options);
  let startedAt = Date.now();
  let stopping = false;
  let restarts = 0;
  let failures = 0;
  let giveUp: (error: Error) => void = () => {};
  const gaveUp = new Promise<Error>((resolve) => (giveUp = resolve));

  const restart = async (how: string): Promise<void> => {
    if (Date.now() - startedAt > STABLE_AFTER_MS) failures = 0;
    for (;;) {
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** failures);
      failures += 1;
      log.error(`Postgres exited unexpectedly (${how}); restarting in ${delay} ms (attempt ${failures}, see postgres.log)`);
      await sleep(delay);
      await options.beforeRestart?.();
      if (stopping) return;
      try {
        current = await startEmbeddedPostgres(options);
      } catch (error) {
        how = `restart failed: ${(error as Error).message.split('\n')[0]}`;
        if (failures >= MAX_FAILED_STARTS) {
          log.error(`Postgres could not be restarted after ${failures} attempts; giving up`);
          giveUp(error as Error);
          return;
        }
        continue;
      }
      startedAt = Date.now();
      restarts += 1;
      log.info(`Postgres restarted (pid ${current.pid}); clients reconnect on their own`);
      options.onRestart?.(current.pid);
      watch(current);
      return;
    }
  };
  const watch = (server: EmbeddedPostgres) => {
    void server.exited.then((how) => {
      if (!stopping && server === current) void restart(how);
    });
  };
  watch(current);

  return {
    get pid() {
      return current.pid;
    },
    port: options.port,
    get restarts() {
      return restarts;
    },
    gaveUp,
    async stop() {
      stopping = true;
      await current.stop();
    },
  };
}
