import { readFileSync } from 'node:fs'
import {
  processArgs,
  type ProcessSnapshot,
  processSnapshot,
  stackProcesses,
} from '../../stack/testing/index.ts'

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

// a process gone before the snapshot used none
const cpuSecondsOrNone = ({ stats }: ProcessSnapshot, pid: number) => stats.get(pid)?.cpuSeconds ?? 0

function workerName(pid: number): string {
  // deno run … worker-bootstrap.js <name> <entrypoint> <listen>
  const args = processArgs(pid) ?? []
  const bootstrap = args.findIndex((arg) => arg.endsWith('worker-bootstrap.js'))
  return (bootstrap >= 0 ? args[bootstrap + 1] : undefined) ?? String(pid)
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
    const snapshot = processSnapshot()
    const workers: Record<string, number> = {}
    for (const pid of snapshot.children.get(this.apiPid) ?? []) {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'deno') {
        workers[workerName(pid)] = cpuSecondsOrNone(snapshot, pid)
      }
    }
    let postgres = cpuSecondsOrNone(snapshot, this.postgresPid)
    for (const pid of snapshot.children.get(this.postgresPid) ?? []) {
      postgres += cpuSecondsOrNone(snapshot, pid)
    }
    const own = process.cpuUsage()
    return {
      api: cpuSecondsOrNone(snapshot, this.apiPid),
      workers,
      postgres,
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
