import { readFileSync } from 'node:fs'
import { processStat } from '../../stack/testing/index.ts'

/**
 * How busy the machine was: load average and the share of time runnable tasks waited for a CPU (Linux PSI).
 * Benchmarks on a shared two-core machine are only comparable with this next to them.
 */
export function loadReadings() {
  const psi = (() => {
    try {
      return /avg10=([\d.]+) avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))
    } catch {
      return null
    }
  })()
  return {
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
    cpuPressureSomeAvg60: psi ? Number(psi[2]) : null,
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = processStat(pid)
  if (!stat) throw new Error(`process ${pid} is gone: no CPU time to read`)
  return stat.cpuSeconds
}

/** Busy and total jiffies of all CPUs so far, from /proc/stat (Linux): two readings give the busy share between. */
export function machineCpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((sum, v) => sum + v, 0)
  const idle = fields[3]! + (fields[4] ?? 0)
  return { busy: total - idle, total }
}
