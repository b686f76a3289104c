import { readFileSync } from 'node:fs'

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
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Busy and total jiffies of all CPUs so far, from /proc/stat (Linux): two readings give the busy share between. */
export function machineCpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((sum, v) => sum + v, 0)
  const idle = fields[3]! + (fields[4] ?? 0)
  return { busy: total - idle, total }
}
