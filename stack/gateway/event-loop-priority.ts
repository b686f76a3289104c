import { setPriority } from 'node:os'
import type { Logger } from '../log.ts'

/**
 * Gives the calling thread — the gateway's event loop — the nice value `eventLoopNice` (options.ts says why). Linux
 * schedules threads, and pid 0 names the calling one, so the threads already running (V8's helpers) keep theirs;
 * threads started later inherit it. Refused (no root, no CAP_SYS_NICE), the gateway says so once and runs on at
 * its inherited priority.
 */
export function applyEventLoopPriority(eventLoopNice: number | null, log: Logger): void {
  if (eventLoopNice === null) return
  try {
    setPriority(0, eventLoopNice)
    log.info(`event loop runs at nice ${eventLoopNice} (PLATER_REALTIME_NICE)`)
  } catch (error) {
    // os.setPriority throws a SystemError whose `info` holds the system's code (EACCES)
    const { info, code } = error as { info?: { code?: string }; code?: string }
    const reason = info?.code ?? code ?? String(error)
    log.warn(
      `PLATER_REALTIME_NICE=${eventLoopNice} refused (${reason}): a priority above the default needs root or ` +
        'CAP_SYS_NICE; the gateway runs at its inherited priority',
    )
  }
}
