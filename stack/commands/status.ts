import { resolveConfig } from '../config.ts'
import { runningStack } from '../state.ts'
import { noStackRunning } from './running-db.ts'
import { formatStatus, type StatusFormat, statusValues } from './status-values.ts'

/** `plater status [-o env|json]`: the URLs and keys of the running stack. Exits 1 when none runs. */
export async function statusCommand(format: StatusFormat): Promise<number> {
  const config = await resolveConfig()
  const state = runningStack(config.dataDir)
  if (!state) {
    console.error(noStackRunning(config.dataDir))
    return 1
  }
  console.log(formatStatus(statusValues(config, state), format))
  return 0
}
