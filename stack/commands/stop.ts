import { resolveConfig } from '../config.ts'
import { stopClusterByPidFile } from '../postgres/cluster.ts'
import { waitForProcessExit } from '../process-util.ts'
import { readStackState, removeStackState } from '../state.ts'

const STOP_TIMEOUT_MS = 45_000

/**
 * `plater stop`: asks the `plater start` process to shut down (it stops its parts in order), waits for it, and
 * cleans up after a stack whose owner died (an orphaned Postgres, a stale stack.json).
 */
export async function stopCommand(): Promise<number> {
  const { dataDir } = await resolveConfig()
  const state = readStackState(dataDir)
  let stopped = false

  if (state) {
    try {
      process.kill(state.pid, 'SIGTERM')
      if (!(await waitForProcessExit(state.pid, STOP_TIMEOUT_MS))) {
        console.error(
          `plater: the stack (pid ${state.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000}s; killing it`,
        )
        process.kill(state.pid, 'SIGKILL')
      }
      stopped = true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
    removeStackState(dataDir)
  }
  if (await stopClusterByPidFile(dataDir)) {
    console.log('stopped an orphaned Postgres left by an earlier run')
    stopped = true
  }
  console.log(stopped ? 'Stopped the Plater stack.' : `No Plater stack is running from ${dataDir}.`)
  return 0
}
