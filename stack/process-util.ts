import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

/** True when a process with this pid exists (signal 0 checks without signalling; EPERM means "exists"). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Polls until the process is gone; false when it is still there after `timeoutMs`. */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false
    await sleep(100)
  }
  return true
}

/** A process's command line (Linux /proc), or undefined when it is gone or not ours to read. */
export function processArgs(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return undefined
  }
}

/** The session a process belongs to (Linux /proc): the pid of the session's leader. */
export function processSession(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // fields after the command name, which is in parentheses and may hold spaces: state, ppid, pgrp, session
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3])
}

/**
 * Whether Linux groups tasks by session for the CPU (autogroup, on by default in most distributions' kernels): the
 * scheduler then shares the CPU among the sessions' groups as equals, and a thread's nice ranks it only inside its
 * group.
 */
export function autogroupsOn(): boolean {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1'
  } catch {
    return false // not Linux, or a kernel built without it
  }
}
