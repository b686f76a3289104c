import type { Figure, Scenario } from '../bench/scenario.ts'
import { latestGroup, type Run } from './runs.ts'
import { format, targetText, verdict } from './verdict.ts'

/** The runs of a scenario summarised together: all of them, or one group per series for a scenario with series. */
export interface Series {
  readonly name: string | null
  readonly runs: Run[]
  /**
   * Whether its latest run was made on the machine of the scenario's latest run. Only current series reach the
   * first table and the comparison: figures from different machines do not compare.
   */
  readonly current: boolean
}

const machineOf = (run: Run) => JSON.stringify(run.record.machine)

export function seriesOf(scenario: Pick<Scenario, 'series'>, runs: Run[]): Series[] {
  const series = scenario.series
  if (!series) return [{ name: null, runs, current: true }]
  const machine = runs.length ? machineOf(runs.at(-1)!) : null
  const names = [...new Set(runs.map((run) => series.of(run.parameters)))]
  return names.map((name) => {
    const own = runs.filter((run) => series.of(run.parameters) === name)
    return { name, runs: own, current: machineOf(own.at(-1)!) === machine }
  })
}

/** The figures a scenario with series computes across the latest group of each current series. */
export interface Comparison {
  readonly figures: Figure[]
  /** The runs they come from. */
  readonly runs: Run[]
  /** The fewest runs any compared series had (the verdict says when that is short of TARGETS.runs). */
  readonly fewestRuns: number
}

export function compared(scenario: Pick<Scenario, 'series'>, series: Series[]): Comparison {
  const groups = series.filter((s) => s.current).map((s) => ({ name: s.name!, group: latestGroup(s.runs) }))
  const figures = scenario.series?.compare(
    Object.fromEntries(groups.map(({ name, group }) => [name, group.map((run) => run.record)])),
  ) ?? {}
  return {
    figures: Object.values(figures),
    runs: groups.flatMap(({ group }) => group),
    fewestRuns: Math.min(...groups.map(({ group }) => group.length)),
  }
}

/** A compared figure's value and verdict, as the first table and the section show it. */
function comparedCells(figure: Figure, fewestRuns: number): [string, string] {
  return [
    format(figure.value, figure.unit),
    figure.value === null ? '' : verdict([figure.value], figure, fewestRuns),
  ]
}

export function comparisonSection({ figures, runs, fewestRuns }: Comparison): string[] {
  if (figures.length === 0) return []
  return [
    '### Compared',
    '',
    `Figures across the series above, from the latest group of runs of each: ${
      runs.map((run) => `[${run.finishedAt.slice(0, 16).replace('T', ' ')}](${run.file})`).join(', ')
    }`,
    '',
    '| figure | target | value | verdict |',
    '|---|---|---|---|',
    ...figures.map((figure) =>
      `| ${figure.label} | ${targetText(figure)} | ${comparedCells(figure, fewestRuns).join(' | ')} |`
    ),
    '',
  ]
}

/** The first table's lines for the compared figures with a target. */
export function comparedRows(scenarioName: string, { figures, fewestRuns }: Comparison): string[] {
  return figures.filter((figure) => figure.target).map((figure) =>
    `| ${scenarioName} | ${figure.label} | ${targetText(figure)} | ${
      comparedCells(figure, fewestRuns).join(' | ')
    } |`
  )
}
