import { resolveConfig } from '../config.ts';
import { resetDatabase } from '../database.ts';
import { createLogger, parseLogLevel } from '../log.ts';
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
