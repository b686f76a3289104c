import { readdirSync, readFileSync } from 'node:fs'
import { stackProcesses } from '../../stack/testing/index.ts'

/**
 * CPU time per process of a local stack, read from /proc (Linux), so a benchmark can say where its CPU went:
 * the API server (Node: routing, the functions proxy, the realtime gateway), the function workers (Deno), the
 * Postgres backends, and the load generator itself. The stack is found through `<dataDir>/stack.json`.
 */
export interface CpuSample {
  api: number
  workers: Record<string, number>
  postgres: number
  generator: number
}

const TICKS = 100 // USER_HZ on Linux

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12]) // utime + stime
  } catch {
    return 0
  }
}

/** Every process's children, by parent pid (a snapshot of /proc). */
export function children(): Map<number, number[]> {
  const map = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      map.set(ppid, [...(map.get(ppid) ?? []), Number(entry)])
    } catch {
      // gone
    }
  }
  return map
}

function workerName(pid: number): string {
  try {
    // deno run … worker-bootstrap.js <name> <entrypoint> <listen>
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    const bootstrap = args.findIndex((arg) => arg.endsWith('worker-bootstrap.js'))
    return args[bootstrap + 1] ?? String(pid)
  } catch {
    return String(pid)
  }
}

export class StackCpu {
  constructor(
    readonly apiPid: number,
    readonly postgresPid: number,
  ) {}

  /** The API process is `plater start`'s supervised child (`apiPid`), and the function workers are its children. */
  static fromDataDir(dataDir: string): StackCpu | undefined {
    const { apiPid, postgresPid } = stackProcesses(dataDir)
    return apiPid !== undefined && postgresPid !== undefined ? new StackCpu(apiPid, postgresPid) : undefined
  }

  sample(): CpuSample {
    const tree = children()
    const workers: Record<string, number> = {}
    for (const pid of tree.get(this.apiPid) ?? []) {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'deno') {
        workers[workerName(pid)] = processTicks(pid) / TICKS
      }
    }
    let postgres = processTicks(this.postgresPid)
    for (const pid of tree.get(this.postgresPid) ?? []) postgres += processTicks(pid)
    const own = process.cpuUsage()
    return {
      api: processTicks(this.apiPid) / TICKS,
      workers,
      postgres: postgres / TICKS,
      generator: (own.user + own.system) / 1e6,
    }
  }
}

/** CPU milliseconds per request spent in each part between two samples. */
export function cpuPerRequest(before: CpuSample, after: CpuSample, requests: number) {
  const ms = (seconds: number) => Math.round((seconds * 1000 * 1000) / requests) / 1000
  const workers = Object.fromEntries(
    Object.keys(after.workers).map((name) => [name, ms(after.workers[name]! - (before.workers[name] ?? 0))]),
  )
  const parts = {
    api_server: ms(after.api - before.api),
    workers,
    postgres: ms(after.postgres - before.postgres),
    generator: ms(after.generator - before.generator),
  }
  const total = parts.api_server + Object.values(workers).reduce((a, b) => a + b, 0) + parts.postgres +
    parts.generator
  return { ...parts, total_ms: Math.round(total * 1000) / 1000 }
}
