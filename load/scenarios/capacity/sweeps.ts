import { setTimeout as sleep } from 'node:timers/promises'
import type { Progress } from '../../bench/progress.ts'
import { median } from '../../bench/stats.ts'
import { type CapacityOptions, highestPassing, kneeRates } from './options.ts'
import { runStep, type StepResult, type StepRig } from './step.ts'

export interface SystemSweeps {
  readonly steps: StepResult[]
  /** Highest passing rate of each sweep (null: none passed). */
  readonly perSweep: (number | null)[]
  /** Median of the sweeps' highest passing rates (a sweep with none counts as 0); null when none passed at all. */
  readonly capacity: number | null
}

/** A sweep stops after this many failing rates in a row: past the knee a backlog only spoils the next step. */
const FAILURES_TO_STOP = 2
/** Quiet time between steps, so one step's backlog is not the next step's load. */
const SETTLE_MS = 3_000

/**
 * Sweep 1 climbs the whole ladder; each further sweep repeats the rates around sweep 1's knee (one below its
 * highest passing rate to two above). Capacity is the median of the sweeps' highest passing rates.
 */
export async function sweep(
  rig: StepRig,
  options: CapacityOptions,
  progress: Progress,
): Promise<SystemSweeps> {
  const steps: StepResult[] = []
  const perSweep: (number | null)[] = []
  for (let s = 1; s <= options.sweeps; s++) {
    const rates = s === 1 ? options.rates : kneeRates(options.rates, perSweep[0] ?? null)
    const own: StepResult[] = []
    let failingInARow = 0
    for (const rate of rates) {
      progress.update(`capacity ${rig.system}: sweep ${s}/${options.sweeps}, ${rate} writes/s`)
      const step = await runStep(rig, s, rate, options.stepSeconds, options.warmupSeconds)
      own.push(step)
      const latency = `p50 ${step.latencyMs.p50} / p95 ${step.latencyMs.p95} / p99 ${step.latencyMs.p99} ms`
      const writes = `writes answered p95 ${step.writes.latencyMs.p95} ms`
      progress.note(
        `  ${rig.system} sweep ${s} ${rate}/s: ${latency}, lost ${step.lost}, dup ${step.duplicated}, ${writes}, machine ${step.readings.machineBusyPercent} % — ${
          step.passed ? 'pass' : step.failures.join(', ')
        }`,
      )
      failingInARow = step.passed ? 0 : failingInARow + 1
      await sleep(SETTLE_MS)
      if (failingInARow >= FAILURES_TO_STOP) break
    }
    steps.push(...own)
    perSweep.push(highestPassing(own))
  }
  const anyPassed = perSweep.some((c) => c !== null)
  return { steps, perSweep, capacity: anyPassed ? median(perSweep.map((c) => c ?? 0)) : null }
}
