import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { isProcessAlive } from './process-util.ts'

/**
 * `<dataDir>/stack.json`: what a running `plater start` tells other shells (`stop`, `status`, `token`, `reset`).
 * Written once the stack is up, removed when it stops.
 */
const stackStateSchema = z.object({
  pid: z.number().int(),
  postgresPid: z.number().int().optional(),
  /** The API process (stack/api/supervisor.ts), whose function workers carry its pid in their socket names. */
  apiPid: z.number().int().optional(),
  apiUrl: z.string(),
  dbUrl: z.string(),
  startedAt: z.string(),
})

export type StackState = z.infer<typeof stackStateSchema>

function stateFile(dataDir: string): string {
  return join(dataDir, 'stack.json')
}

export function writeStackState(dataDir: string, state: StackState): void {
  writeFileSync(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`)
}

export function readStackState(dataDir: string): StackState | undefined {
  let text: string
  try {
    text = readFileSync(stateFile(dataDir), 'utf8')
  } catch {
    return undefined
  }
  const parsed = stackStateSchema.safeParse(JSON.parse(text))
  return parsed.success ? parsed.data : undefined
}

export function removeStackState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true })
}

/** The recorded stack, if its `plater start` process is still alive (a crashed one leaves a stale file). */
export function runningStack(dataDir: string): StackState | undefined {
  const state = readStackState(dataDir)
  return state && isProcessAlive(state.pid) ? state : undefined
}
