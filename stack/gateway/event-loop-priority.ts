import { writeFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import type { Logger } from '../log.ts'
import { autogroupsOn, processStat } from '../process-util.ts'

const AUTOGROUP = '/proc/self/autogroup'

/**
 * Where Linux groups tasks by session, a nice thread in a shared group still waits behind each Postgres backend
 * (Postgres starts every backend in a session of its own): only its group's nice counts against them, and only a
 * session leader's group is its own.
 */
function autogroup(): 'off' | 'own' | 'shared' {
  if (!autogroupsOn()) return 'off'
  return processStat('self')?.session === process.pid ? 'own' : 'shared'
}

/**
 * Gives the calling thread — the gateway's event loop — the nice value `eventLoopNice` (options.ts says why), and
 * its autogroup too when the process leads its own session (the stack's API process and the harness's gateway are
 * started so). Linux schedules threads, and pid 0 names the calling one, so the threads already running (V8's
 * helpers) keep theirs; threads started later inherit it. Refused (no root, no CAP_SYS_NICE), the gateway says so
 * once and runs on at its inherited priority.
 */
export function applyEventLoopPriority(eventLoopNice: number | null, log: Logger): void {
  if (eventLoopNice === null) return
  try {
    setPriority(0, eventLoopNice)
    const group = autogroup()
    if (group === 'own') writeFileSync(AUTOGROUP, String(eventLoopNice))
    log.info(
      `event loop ${
        group === 'own' ? 'and its autogroup run' : 'runs'
      } at nice ${eventLoopNice} (PLATER_REALTIME_NICE)`,
    )
    if (group === 'shared') {
      log.warn(
        `PLATER_REALTIME_NICE=${eventLoopNice} ranks the event loop only inside the autogroup it shares with its ` +
          'session, not against Postgres backends: start the gateway in a session of its own (setsid)',
      )
    }
  } catch (error) {
    // os.setPriority throws a SystemError whose `info` holds the system's code (EACCES); the autogroup write an
    // ErrnoException (EPERM)
    const { info, code } = error as { info?: { code?: string }; code?: string }
    const reason = info?.code ?? code ?? String(error)
    log.warn(
      `PLATER_REALTIME_NICE=${eventLoopNice} refused (${reason}): a priority above the default needs root or ` +
        'CAP_SYS_NICE; the gateway runs at its inherited priority',
    )
  }
}
