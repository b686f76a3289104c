import { processSnapshot } from '../../stack/testing/index.ts'
import { loadReadings, machineCpuTimes } from './machine.ts'

/**
 * How much of the machine other work took while a scenario ran: all CPU time the machine spent, minus that of this
 * harness and every process it started (the stack it owns with its Postgres, gateways, baseline servers) and of
 * the stack it was given, if that runs here. A share of the CPUs averaging above a quarter of a core counts as a
 * contended run: its figures measured a machine it did not have to itself. (Linux pressure and load averages are
 * kept beside it, but they also count the harness's own load, including the previous scenario's.)
 */
export const CONTENDED_OTHER_CORES = 0.25

const machineBusySeconds = () => machineCpuTimes().busy / 100

/** CPU seconds of the given processes and all their descendants, those that exited included. */
function treeSeconds(roots: number[]): number {
  const { stats, children } = processSnapshot()
  let total = 0
  const seen = new Set<number>()
  const queue = [...roots]
  while (queue.length > 0) {
    const pid = queue.pop()!
    if (seen.has(pid)) continue
    seen.add(pid)
    // a process that already exited counts once, in its parent's reaped children; one still running, itself
    const stat = stats.get(pid)
    if (stat) total += stat.cpuSeconds + stat.reapedChildrenCpuSeconds
    queue.push(...(children.get(pid) ?? []))
  }
  return total
}

/** Load average and Linux CPU pressure (the share of the last minute runnable tasks waited for a CPU). */
export interface Contention {
  readonly loadAverage: number[]
  readonly cpuPressureSomeAvg60: number | null
}

/** Null fields: not measured by the earlier format a record was converted from (RunRecord `convertedFrom`). */
export interface ContentionReport {
  readonly before: Contention | null
  readonly after: Contention | null
  /** Average cores other work used during the run. */
  readonly otherWorkCores: number | null
  /** Converted records: whether Linux CPU pressure or the load average was high in the minute before. */
  readonly contended: boolean | null
}

/** Call when the scenario starts; the returned function, when it ends. `extraRoots`: a given stack's processes. */
export function watchContention(extraRoots: () => number[]): () => ContentionReport {
  const before = loadReadings()
  const roots = () => [process.pid, ...extraRoots()]
  const start = { wall: performance.now(), machine: machineBusySeconds(), own: treeSeconds(roots()) }
  return () => {
    const wall = (performance.now() - start.wall) / 1000
    const other = machineBusySeconds() - start.machine - (treeSeconds(roots()) - start.own)
    const otherWorkCores = Math.max(0, Math.round((other / wall) * 100) / 100)
    return {
      before,
      after: loadReadings(),
      otherWorkCores,
      contended: otherWorkCores > CONTENDED_OTHER_CORES,
    }
  }
}
