import { resolveConfig } from '../config.ts';
import { createLogger, parseLogLevel } from '../log.ts';
import { startStack } from '../stack.ts';
import { removeStackState, runningStack, writeStackState } from '../state.ts';
import { formatStatus, statusValues } from './status-values.ts';

/** `plater start`: runs the whole stack in the foreground until Ctrl-C / SIGTERM / `plater stop`. */
export async function startCommand(): Promise<number> {
  const startedAt = Date.now();
  const config = await resolveConfig();
  const log = createLogger('plater', parseLogLevel(process.env.PLATER_LOG_LEVEL, 'info'));

  const existing = runningStack(config.dataDir);
  if (existing) {
    log.error(`a stack from ${config.dataDir} is already running (pid ${existing.pid}, ${existing.apiUrl}); \`plater stop\` stops it`);
    return 1;
  }

  const stack = await startStack(config, log);
  writeStackState(config.dataDir, {
    pid: process.pid,
    postgresPid: stack.postgres?.pid,
    apiUrl: config.apiUrl,
    dbUrl: config.dbUrl,
    startedAt: new Date(startedAt).toISOString(),
  });

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`\nPlater stack started in ${seconds}s.\n`);
  console.log(formatStatus(statusValues(config, config), 'pretty'));
  console.log('\nCtrl-C or `npx plater stop` stops it.');

  const reason = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    stack.postgres?.exited.then(() => resolve('postgres-exited'));
  });
  // A second Ctrl-C while stopping exits at once (Postgres still gets its shutdown signal on exit).
  process.once('SIGINT', () => process.exit(130));

  if (reason === 'postgres-exited') log.error('Postgres exited unexpectedly; stopping the stack (see <dataDir>/postgres.log)');
  else log.info('stopping…');
  await stack.stop();
  removeStackState(config.dataDir);
  log.info('stopped');
  return reason === 'postgres-exited' ? 1 : 0;
}
