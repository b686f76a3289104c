// The stack's imports of the one logger (shared/log.ts, which the functions use too), under the path every stack
// module already names.
export { createLogger, type Logger, type LogLevel, logLevelFromEnv } from '../shared/log.ts'
