// The one logger, for the stack (Node) and the functions (Deno): a record is a level, the component that speaks
// (`gateway:ingest`, `functions:orders`), a message and fields, written as one line `[component] message {fields}`;
// warnings and errors go to stderr. Every part receives a Logger rather than writing to the console itself, so
// `plater test` can quieten the stack without touching the modules. Web-standard only (the console).
import { type Env, oneOf, readEnv } from './env.ts'

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger for a sub-component: `log.child('ingest')` of `gateway` speaks as `gateway:ingest`. */
  child(component: string): Logger
}

export interface LogRecord {
  readonly level: LogLevel
  readonly component: string
  readonly message: string
  readonly fields?: LogFields
}

/** Where records go: the console unless a test collects them. */
export type LogSink = (record: LogRecord) => void

/** PLATER_LOG_LEVEL, the least level written; `fallback` when unset. */
export function logLevelFromEnv(env: Env, fallback: LogLevel): LogLevel {
  return readEnv(env, 'PLATER_LOG_LEVEL', oneOf(LOG_LEVELS), fallback)
}

export function createLogger(
  component: string,
  minLevel: LogLevel = 'info',
  sink: LogSink = consoleSink,
): Logger {
  const least = LOG_LEVELS.indexOf(minLevel)
  const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) >= least) sink({ level, component, message, fields })
  }
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (child) => createLogger(`${component}:${child}`, minLevel, sink),
  }
}

export function formatRecord({ level, component, message, fields }: LogRecord): string {
  const replacer = level === 'error' ? errorWithStack : errorReplacer
  const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields, replacer)}` : ''
  return `[${component}] ${message}${suffix}`
}

export function consoleSink(record: LogRecord): void {
  const line = formatRecord(record)
  if (record.level === 'warn' || record.level === 'error') console.error(line)
  else console.log(line)
}

// Errors have no enumerable fields, so JSON.stringify would print `{}` for them. An error-level record is a bug or
// an outage someone will chase: it carries the stack, the rest stay one short line.
function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value
}

function errorWithStack(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
}
