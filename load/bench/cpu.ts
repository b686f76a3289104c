import { readFileSync } from 'node:fs'
import type { Sql } from 'postgres'
import { cpuSeconds, machineCpuTimes } from './machine.ts'
import { cpuDelta, postgresCpu, postmasterPid } from './postgres-cpu.ts'

/**
 * CPU per process over a measured window, from /proc (Linux): named processes (a gateway, a baseline server, the
 * API server), the stack's Postgres (its cluster only, bench/postgres-cpu.ts — not other clusters on a shared
 * machine), the load generator (this process and its worker threads) and the whole machine, so a figure can say
 * what it was bound by and what the generator cost.
 */
export type CpuReading = Record<string, number>

/** CPU seconds so far of the cluster `sql` is connected to, or undefined when it runs on another machine. */
export async function postgresCpuReader(sql: Sql): Promise<(() => number) | undefined> {
  try {
    const postmaster = await postmasterPid(sql)
    const zero = postgresCpu(postmaster)
    return () => cpuDelta(postgresCpu(postmaster), zero).total
  } catch {
    return undefined
  }
}

function safe(read: () => number): number {
  try {
    return read()
  } catch {
    return Number.NaN
  }
}

/** Resident memory of a process (bytes), or null when it is gone. */
export function rssOf(pid: number): number | null {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
  } catch {
    return null
  }
}

export const LOAD_GENERATOR = 'load generator'

export class CpuMeter {
  #start: { wall: number; seconds: CpuReading; machine: { busy: number; total: number } } | undefined

  /** `processes`: name → a pid, or a function reading CPU seconds so far; undefined entries are left out. */
  constructor(readonly processes: Record<string, number | (() => number) | undefined>) {}

  #read(): CpuReading {
    const own = process.cpuUsage()
    const reading: CpuReading = { [LOAD_GENERATOR]: (own.user + own.system) / 1e6 }
    for (const [name, source] of Object.entries(this.processes)) {
      if (source !== undefined) {
        reading[name] = safe(() => (typeof source === 'number' ? cpuSeconds(source) : source()))
      }
    }
    return reading
  }

  start(): void {
    this.#start = { wall: performance.now(), seconds: this.#read(), machine: machineCpuTimes() }
  }

  /** % of one core per process since start(), and the whole machine's busy share of all its cores. */
  stop(): { percentOfOneCore: CpuReading; machineBusyPercent: number; seconds: number } {
    const start = this.#start
    if (!start) throw new Error('CpuMeter.stop() before start()')
    const seconds = (performance.now() - start.wall) / 1000
    const now = this.#read()
    const machine = machineCpuTimes()
    const percentOfOneCore: CpuReading = {}
    for (const [name, value] of Object.entries(now)) {
      const before = start.seconds[name]
      if (before !== undefined && Number.isFinite(value - before)) {
        percentOfOneCore[name] = Math.round(((value - before) / seconds) * 100)
      }
    }
    return {
      percentOfOneCore,
      machineBusyPercent: Math.round(
        ((machine.busy - start.machine.busy) / (machine.total - start.machine.total)) * 100,
      ),
      seconds,
    }
  }
}
