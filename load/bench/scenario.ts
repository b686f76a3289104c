import type { BenchStack } from './stack.ts'
import type { Progress } from './progress.ts'

/** A figure the report compares with its target (`TARGETS` in load/k6/scenarios.js), or shows for context when it has none. */
export interface Figure {
  readonly label: string
  readonly value: number | null
  readonly unit: string
  /** Met when value ≤ max / ≥ min. */
  readonly target?: { readonly max?: number; readonly min?: number }
}

/** What every scenario of `npm run bench` is given and gives back (the rest of its run record is the harness's). */
export interface ScenarioContext {
  readonly stack: BenchStack
  readonly progress: Progress
  /** Option values: the scenario's defaults overridden by the command line. */
  readonly options: Record<string, string>
  /** The options the command line set (the rest of `options` are defaults). */
  readonly given: ReadonlySet<string>
}

export interface ScenarioOutput {
  readonly parameters: Record<string, unknown>
  readonly figures: Record<string, Figure>
  readonly bottleneck: string
  readonly cpuPercentOfOneCore: Record<string, number>
  readonly data: Record<string, unknown>
}

/**
 * A scenario whose runs may each measure one system of several (capacity: ours, the peer): a series is the runs of
 * one system, summarised apart, and `compare` turns the latest group of each series into figures across them.
 */
export interface ScenarioSeries {
  /** The series a run belongs to, from its parameters. */
  of(parameters: Record<string, unknown>): string
  /** Figures across series, from the latest group of runs of each (oldest first); none when a series is missing. */
  compare(
    groups: Readonly<Record<string, readonly Pick<ScenarioOutput, 'figures' | 'data'>[]>>,
  ): Record<string, Figure>
}

export interface Scenario {
  readonly name: string
  /** One line for `npm run bench -- --help` and the report. */
  readonly summary: string
  /** Options it understands, with their defaults (strings, as typed on the command line). */
  readonly options: Record<string, string>
  /** Rough minutes with the default options, for planning an unattended `all`. */
  readonly minutes: number
  readonly series?: ScenarioSeries
  run(context: ScenarioContext): Promise<ScenarioOutput>
}

/** Numeric option, or an error naming it. */
export function numberOption(options: Record<string, string>, name: string): number {
  const value = Number(options[name])
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${options[name]}"`)
  return value
}

/** The busiest processes of a window, in words, and whether the machine was saturated. */
export function describeCpu(cpu: Record<string, number>, machineBusyPercent: number): string {
  const parts = Object.entries(cpu)
    .filter(([, percent]) => percent > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, percent]) => `${name} ${percent} %`)
  const saturated = machineBusyPercent >= 90 ? ' — the machine was saturated' : ''
  return `CPU (% of one core): ${
    parts.join(', ')
  }; machine ${machineBusyPercent} % busy of all cores${saturated}`
}
