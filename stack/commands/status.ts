import { resolveConfig } from '../config.ts'
import { runningStack } from '../state.ts'
import { formatStatus, type StatusFormat, statusValues } from './status-values.ts'

/** `plater status [-o env|json]`: the URLs and keys of the running stack. Exits 1 when none runs. */
export async function statusCommand(format: StatusFormat): Promise<number> {
  const config = await resolveConfig()
  const state = runningStack(config.dataDir)
  if (!state) {
    console.error(`plater: no stack is running from ${config.dataDir}; start one with \`npm start\``)
    return 1
  }
  console.log(formatStatus(statusValues(config, state), format))
  return 0
}
