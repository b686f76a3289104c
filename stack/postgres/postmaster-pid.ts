import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The server's own record of itself, `<pgdata>/postmaster.pid`: line 1 is the pid, line 8 the status that
 * `pg_ctl -w` waits for ("starting", "ready", "stopping"). Reading it avoids parsing log output.
 */
export interface PostmasterPid {
  pid: number
  status: string
}

export function readPostmasterPid(pgDataDir: string): PostmasterPid | undefined {
  let text: string
  try {
    text = readFileSync(join(pgDataDir, 'postmaster.pid'), 'utf8')
  } catch {
    return undefined
  }
  const lines = text.split('\n')
  const pid = Number(lines[0])
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  return { pid, status: (lines[7] ?? '').trim() }
}
