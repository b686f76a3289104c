import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig } from '../config.ts';
import { resetDatabase } from '../database.ts';
import { withDb } from '../db.ts';
import { createLogger, type Logger, parseLogLevel } from '../log.ts';
import { startEmbeddedPostgres } from '../postgres/cluster.ts';
import { runningStack } from '../state.ts';

/**
 * `plater reset`: re-creates the database from migrations + seed. Works on the running stack (its clients
 * reconnect) or, when none runs, on the embedded cluster started just for the reset.
 */
export async function resetCommand(): Promise<number> {
  const config = await resolveConfig();
  const log = createLogger('plater', parseLogLevel(process.env.PLATER_LOG_LEVEL, 'info'));
  const state = runningStack(config.dataDir);

  if (state || config.externalDb) {
    await resetDatabase(config.repoRoot, state?.dbUrl ?? config.dbUrl, log.child('db'));
    if (state) await announceEpoch(state.dbUrl, log.child('db'));
  } else {
    const postgres = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.dbPort, log: log.child('postgres') });
    try {
      await resetDatabase(config.repoRoot, config.dbUrl, log.child('db'));
    } finally {
      await postgres.stop();
    }
  }
  console.log('Database reset: migrations and seed applied.');
  return 0;
}

/**
 * Tells the running stack's live clients that the database started over (migrations/…_epoch_announcement.sql),
 * once the gateway streams the new database (its replication slot is active again), so they reload at once.
 */
export async function announceEpoch(dbUrl: string, log: Logger, timeoutMs = 30_000): Promise<void> {
  await withDb(dbUrl, 'reset', async (sql) => {
    for (const deadline = Date.now() + timeoutMs; ;) {
      const [streaming] = await sql`select 1 from pg_replication_slots where database = current_database() and active`;
      if (streaming) break;
      if (Date.now() > deadline) {
        log.warn('the gateway is not streaming the new database yet; clients reload on their next message');
        return;
      }
      await sleep(100);
    }
    const [row] = await sql<{ told: number }[]>`select plater_private.announce_topic_epoch() as told`;
    log.info(`announced the new topic epoch on ${row?.told ?? 0} topics`);
  });
}
