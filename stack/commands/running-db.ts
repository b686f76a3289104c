import type { StackConfig } from '../config.ts'
import { runningStack } from '../state.ts'

/** What a command that needs the running stack says when none runs from the data dir. */
export function noStackRunning(dataDir: string): string {
  return `plater: no stack is running from ${dataDir}; start one with \`npm start\``
}

/**
 * The database a command works on: the running stack's, or DATABASE_URL's when one is given. Undefined, after
 * saying so on stderr, when there is neither.
 */
export function runningDbUrl(config: StackConfig): string | undefined {
  const state = runningStack(config.dataDir)
  if (!state && !config.externalDb) {
    console.error(noStackRunning(config.dataDir))
    return undefined
  }
  return state?.dbUrl ?? config.dbUrl
}
