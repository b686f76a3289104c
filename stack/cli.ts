import { parseArgs, type ParseArgsConfig } from 'node:util'
import { resetCommand } from './commands/reset.ts'
import { SIMULATE_OPTIONS, simulateCommand, simulateOptions } from './commands/simulate.ts'
import { startCommand } from './commands/start.ts'
import { statusCommand } from './commands/status.ts'
import { STATUS_FORMATS, type StatusFormat } from './commands/status-values.ts'
import { stopCommand } from './commands/stop.ts'
import { testCommand, testDbCommand } from './commands/test.ts'
import { DEFAULTS } from './config.ts'
import { type ParsedValues, UsageError } from './commands/args.ts'
import { tokenCommand } from './commands/token.ts'

type Options = NonNullable<ParseArgsConfig['options']>
type Parsed = { values: ParsedValues; positionals: string[] }

/**
 * One `plater` command. Its arguments are parsed (strictly: an unknown option or argument is a usage error) before
 * `run` is called, and `--help`/`-h` prints `usage` instead of running it, so neither ever touches a stack.
 */
interface Command {
  /** What follows `plater` in the usage, e.g. `status [-o env|json]`. */
  synopsis: string
  /** What it does, one or more lines (each command's `--help` and the overview). */
  description: (env: NodeJS.ProcessEnv) => string
  options?: Options
  /** The words it takes as its one optional argument (`test db`); none when absent. */
  positionals?: readonly string[]
  run(parsed: Parsed): Promise<number>
}

const commands: Record<string, Command> = {
  start: {
    synopsis: 'start',
    description: (env) => {
      const { apiPort, dbTarget } = effective(env)
      return `run the local stack in the foreground (Postgres on ${dbTarget}, migrations + seed,\nAPI on ${DEFAULTS.apiHost}:${apiPort})`
    },
    run: () => startCommand(),
  },
  stop: {
    synopsis: 'stop',
    description: () => 'stop the running stack',
    run: () => stopCommand(),
  },
  status: {
    synopsis: 'status [-o env|json]',
    description: () =>
      'URLs and keys of the running stack; `-o env` prints `export KEY="value"` lines for\n' +
      '`eval "$(npx plater status -o env)"` (or a .env file)',
    options: { output: { type: 'string', short: 'o', default: 'pretty' } },
    run: ({ values }) => {
      const format = values.output as StatusFormat
      if (!STATUS_FORMATS.includes(format)) {
        throw new UsageError(`unknown output format "${values.output}" (env, json)`)
      }
      return statusCommand(format)
    },
  },
  reset: {
    synopsis: 'reset [--yes]',
    description: (env) => {
      const { dataDir, dbTarget } = effective(env)
      return (
        `DESTROYS every row of the stack's database (Postgres on ${dbTarget}, data dir ${dataDir})\n` +
        'and re-creates it: bootstrap, migrations, seed. A database plater does not run itself\n' +
        '(DATABASE_URL) is only reset with --yes'
      )
    },
    options: { yes: { type: 'boolean', short: 'y', default: false } },
    run: ({ values }) => resetCommand({ yes: values.yes === true }),
  },
  token: {
    synopsis: 'token --email <email>',
    description: () => 'print an access token for a seeded staff member',
    options: { email: { type: 'string' } },
    run: ({ values }) => {
      if (typeof values.email !== 'string') throw new UsageError('token needs --email <staff email>')
      return tokenCommand(values.email)
    },
  },
  simulate: {
    synopsis: 'simulate [--rate 2/s] [--restaurant <id|name>] [--seed n] [--password p]',
    description: () =>
      "act out a service through the edge functions as the restaurant's staff (Ctrl-C stops)",
    options: SIMULATE_OPTIONS,
    run: ({ values }) => simulateCommand(simulateOptions(values)),
  },
  test: {
    synopsis: 'test [db]',
    description: () =>
      'run every test suite against a fresh private stack;\n' +
      '`test db`: the pgTAP suite (tests/db) against the running stack, like `supabase test db`',
    positionals: ['db'],
    run: ({ positionals }) => (positionals[0] === 'db' ? testDbCommand() : testCommand()),
  },
}

/** The ports, data dir and database this shell's environment gives (what `start` would use). */
function effective(env: NodeJS.ProcessEnv) {
  const apiPort = env.PLATER_API_PORT || String(DEFAULTS.apiPort)
  const dbPort = env.PLATER_DB_PORT || String(DEFAULTS.dbPort)
  const dataDir = env.PLATER_DATA_DIR || DEFAULTS.dataDir
  const dbTarget = env.DATABASE_URL ? 'DATABASE_URL' : `127.0.0.1:${dbPort}`
  return { apiPort, dbPort, dataDir, dbTarget }
}

function environmentHelp(env: NodeJS.ProcessEnv): string {
  const { apiPort, dbPort, dataDir } = effective(env)
  return `Environment (effective value): PLATER_API_PORT (${apiPort}), PLATER_DB_PORT (${dbPort}), PLATER_DATA_DIR (${dataDir}),
DATABASE_URL (use this Postgres instead of the embedded one), PLATER_LOG_LEVEL (debug|info|warn|error).`
}

function indent(text: string, by: number): string {
  return text.replaceAll('\n', `\n${' '.repeat(by)}`)
}

/** The overview: every command. */
function usage(env: NodeJS.ProcessEnv = process.env): string {
  const lines = Object.values(commands).map(({ synopsis, description }) =>
    synopsis.length < 25
      ? `  ${synopsis.padEnd(25)}${indent(description(env), 27)}`
      : `  ${synopsis}\n${' '.repeat(27)}${indent(description(env), 27)}`
  )
  return `Usage: plater <command> [--help]\n\n${lines.join('\n')}\n\n${environmentHelp(env)}`
}

/** One command's usage (its `--help`). */
function commandUsage(command: Command, env: NodeJS.ProcessEnv = process.env): string {
  return `Usage: plater ${command.synopsis}\n\n${command.description(env)}\n\n${environmentHelp(env)}`
}

/** `--help`/`-h` anywhere before a `--` terminator, whatever else is there: help never acts. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--')
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage())
    return name === undefined ? 2 : 0
  }
  const command = Object.hasOwn(commands, name) ? commands[name]! : undefined
  if (!command) throw new UsageError(`unknown command "${name}"`)
  if (asksForHelp(rest)) {
    console.log(commandUsage(command))
    return 0
  }
  try {
    const parsed = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: command.positionals !== undefined,
      strict: true,
    })
    const words = command.positionals ?? []
    if (parsed.positionals.length > 1 || parsed.positionals.some((word) => !words.includes(word))) {
      throw new UsageError(`unexpected argument "${parsed.positionals.join(' ')}" (${words.join(', ')})`)
    }
    return await command.run(parsed)
  } catch (error) {
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    if (error instanceof UsageError || parseError) {
      throw new CommandUsageError((error as Error).message, command)
    }
    throw error
  }
}

/** A usage error of one command: its own usage is shown. */
class CommandUsageError extends UsageError {
  constructor(message: string, readonly command: Command) {
    super(message)
  }
}

export async function run(argv: string[]): Promise<never> {
  let code: number
  try {
    code = await main(argv)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`plater: ${message}`)
    if (error instanceof UsageError) {
      console.error(`\n${error instanceof CommandUsageError ? commandUsage(error.command) : usage()}`)
      code = 2
    } else {
      if (process.env.PLATER_LOG_LEVEL === 'debug' && error instanceof Error) console.error(error.stack)
      code = 1
    }
  }
  // Explicit exit: a stray timer or socket in some module must not keep `npm test` (CI) from finishing.
  process.exit(code)
}
