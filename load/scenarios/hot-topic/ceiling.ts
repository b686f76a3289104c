import { TARGETS } from '../../k6/scenarios.js'
import type { Step } from './step.ts'

/** Within the targets, measured from the due time: a system that only keeps up by sending late does not. */
function meets(step: Step): boolean {
  return step.deliveredRatio >= TARGETS.hotTopic.deliveredRatio.min &&
    (step.latencyFromDueMs.p99 ?? Infinity) <= TARGETS.baselines.latencyCeilingP99Ms
}

/** The most deliveries/s a system carried within the targets (0 when no step did). */
export function ceiling(steps: Step[]): number {
  return Math.max(0, ...steps.filter(meets).map((s) => s.deliveriesPerSecond))
}

/** The sweep's top step passed: the system was not pushed to its limit, so its ceiling is a lower bound. */
function atTopOfSweep(steps: Step[]): boolean {
  const top = steps.reduce<Step | undefined>(
    (a, s) => (a === undefined || s.rate > a.rate ? s : a),
    undefined,
  )
  return top !== undefined && meets(top)
}

export function ceilingLabel(what: string, steps: Step[]): string {
  return atTopOfSweep(steps) ? `${what} (top of the sweep passed: at least this)` : what
}
