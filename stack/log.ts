/**
 * The stack's logger: one line per event, scoped by component (`[api]`, `[postgres]`, …).
 * Kept tiny on purpose; every stack module (gateway, functions host, …) receives a `Logger` instead of
 * writing to the console directly, so `plater test` can quieten the stack without touching the modules.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger for a sub-component: `log.child('gateway')` prints `[gateway]`. */
  child(scope: string): Logger;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  return value !== undefined && value in rank ? (value as LogLevel) : fallback;
}

export function createLogger(scope: string, minLevel: LogLevel = 'info'): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (rank[level] < rank[minLevel]) return;
    const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields, errorReplacer)}` : '';
    const line = `[${scope}] ${message}${suffix}`;
    if (level === 'warn' || level === 'error') console.error(line);
    else console.log(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (child) => createLogger(`${scope}:${child}`, minLevel),
  };
}

// Errors have no enumerable fields, so JSON.stringify would print `{}` for them.
function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
