import { readdirSync, readFileSync } from 'node:fs'
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

/** What Linux's /proc/<pid>/stat says of a process that the stack and its benchmarks read. */
export interface ProcessStat {
  readonly parent: number
  /** The pid of its session's leader. */
  readonly session: number
  /** User and system CPU time of the process itself. */
  readonly cpuSeconds: number
  /** User and system CPU time of its children that exited and were waited for. */
  readonly reapedChildrenCpuSeconds: number
}

const USER_HZ = 100 // the clock ticks /proc counts CPU time in, on every Linux architecture we run on

/** A process's /proc/<pid>/stat, or undefined when it is gone or not ours to read. */
export function processStat(pid: number | 'self'): ProcessStat | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // the fields after the command name, which is in parentheses and may hold spaces: state, ppid, pgrp, session, …
  const field = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
  return {
    parent: field[1]!,
    session: field[3]!,
    cpuSeconds: (field[11]! + field[12]!) / USER_HZ, // utime + stime
    reapedChildrenCpuSeconds: (field[13]! + field[14]!) / USER_HZ, // cutime + cstime
  }
}

/** The pids of every process now running (Linux /proc; none where there is no /proc). */
export function processIds(): number[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)
  } catch {
    return []
  }
}

/** One look at every running process: each one's stat, read once, and the tree they form. */
export interface ProcessSnapshot {
  readonly stats: ReadonlyMap<number, ProcessStat>
  /** Each parent's pids. */
  readonly children: ReadonlyMap<number, readonly number[]>
}

export function processSnapshot(): ProcessSnapshot {
  const stats = new Map<number, ProcessStat>()
  const children = new Map<number, number[]>()
  for (const pid of processIds()) {
    const stat = processStat(pid)
    if (stat === undefined) continue // exited meanwhile
    stats.set(pid, stat)
    children.set(stat.parent, [...(children.get(stat.parent) ?? []), pid])
  }
  return { stats, children }
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
