import { parseArgs } from 'node:util';
import { resetCommand } from './commands/reset.ts';
import { simulateCommand } from './commands/simulate.ts';
import { startCommand } from './commands/start.ts';
import { statusCommand } from './commands/status.ts';
import type { StatusFormat } from './commands/status-values.ts';
import { stopCommand } from './commands/stop.ts';
import { testCommand } from './commands/test.ts';
import { tokenCommand } from './commands/token.ts';

const USAGE = `Usage: plater <command>

  start                    run the local stack in the foreground (Postgres, migrations + seed, API on :54321)
  stop                     stop the running stack
  status [-o env|json]     URLs and keys of the running stack
  reset                    re-create the database: bootstrap, migrations, seed
  token --email <email>    print an access token for a seeded staff member
  simulate [--rate 2/s] [--restaurant <id|name>] [--seed n]
                           act out a service through the edge functions as the restaurant's staff (Ctrl-C stops)
  test                     run every test suite against a fresh private stack

Environment: PLATER_API_PORT (54321), PLATER_DB_PORT (54322), PLATER_DATA_DIR (.stack),
DATABASE_URL (use this Postgres instead of the embedded one), PLATER_LOG_LEVEL (debug|info|warn|error).`;

const STATUS_FORMATS: StatusFormat[] = ['pretty', 'env', 'json'];

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startCommand();
    case 'stop':
      return stopCommand();
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { output: { type: 'string', short: 'o', default: 'pretty' } } });
      const format = values.output as StatusFormat;
      if (!STATUS_FORMATS.includes(format)) throw new UsageError(`unknown output format "${values.output}" (env, json)`);
      return statusCommand(format);
    }
    case 'reset':
      return resetCommand();
    case 'token': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' } } });
      return tokenCommand(values.email);
    }
    case 'simulate':
      return simulateCommand(rest);
    case 'test':
      return testCommand();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

export async function run(argv: string[]): Promise<never> {
  let code: number;
  try {
    code = await main(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`plater: ${message}`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`\n${USAGE}`);
      code = 2;
    } else {
      if (process.env.PLATER_LOG_LEVEL === 'debug' && error instanceof Error) console.error(error.stack);
      code = 1;
    }
  }
  // Explicit exit: a stray timer or socket in some module must not keep `npm test` (CI) from finishing.
  process.exit(code);
}
