import type { StackConfig } from '../config.ts'
import type { LogLevel } from '../log.ts'
import type { ApiRestarts } from './health.ts'

/** What the stack's process tells the API process over the IPC channel. */
export type ToApiProcess = { type: 'start'; config: StackConfig; restarts: ApiRestarts } | { type: 'stop' }

/**
 * What the API process tells the stack's process: its log lines (written by the stack's logger, so its level and
 * scopes hold), that it listens, or why it could not start.
 */
export type FromApiProcess =
  | { type: 'log'; level: LogLevel; scopes: string[]; message: string; fields?: Record<string, unknown> }
  | { type: 'listening' }
  | { type: 'failed'; message: string }
