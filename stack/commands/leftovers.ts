import { stopLeftoverApiProcess } from '../api/supervisor.ts'
import { stopOrphanedWorkers } from '../functions-host/index.ts'
import type { Logger } from '../log.ts'
import { stopClusterByPidFile } from '../postgres/cluster.ts'
import { readStackState, removeStackState } from '../state.ts'

/**
 * What a `plater start` that was killed (SIGKILL, a closed terminal, an OOM kill) leaves behind in its data dir:
 * its Postgres, which runs detached and outlives it; its API process and function workers until they notice;
 * the workers' socket files; a stale stack.json. Call only when no live stack owns `dataDir` (`runningStack` says so).
 * Returns what was cleaned up.
 */
export async function cleanUpAfterKilledStack(dataDir: string, log: Logger): Promise<string[]> {
  const state = readStackState(dataDir)
  const found: string[] = []
  if (state) {
    if (state.apiPid !== undefined && await stopLeftoverApiProcess(state.apiPid)) {
      found.push(`its API process (pid ${state.apiPid})`)
    }
    const workers = [state.pid, state.apiPid].flatMap((
      pid,
    ) => (pid === undefined ? [] : stopOrphanedWorkers(pid)))
    if (workers.length > 0) found.push(`${workers.length} function worker(s) (pids ${workers.join(', ')})`)
    removeStackState(dataDir)
    found.push('stack.json')
  }
  if (await stopClusterByPidFile(dataDir)) found.push('its Postgres')
  if (found.length > 0) {
    log.warn(
      `an earlier stack of ${dataDir}${state ? ` (pid ${state.pid})` : ''} was killed; cleaned up ${
        found.join(', ')
      }`,
    )
  }
  return found
}
