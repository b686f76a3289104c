import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TARGETS } from '../k6/scenarios.js'
import { SCENARIOS } from '../bench/scenarios.ts'
import { readRecords, type RunRecord } from '../bench/record.ts'
import { RESULTS_DIR } from '../bench/paths.ts'
import type { Figure, Scenario } from '../bench/scenario.ts'
import { median } from '../bench/stats.ts'
import { chartsFor } from './charts.ts'
import { CONTENDED_OTHER_CORES } from '../bench/contention.ts'
import { stackedBarChart } from './svg.ts'

/**
 * load/results/REPORT.md, rebuilt from every result file there: per scenario, the five most recent consecutive runs
 * with the same parameters (min / median / max of each figure) against the targets (TARGETS in k6/scenarios.js), the
 * verdict (met, or missed by how much — no run may be worse than twice the target), the bottleneck measured in the
 * latest run, and
 * charts (load/results/charts/*.svg). Every figure names the files it comes from.
 */

/** One run as the report sees it: its record and the file it is in. */
export interface Run extends
  Pick<
    RunRecord,
    'scenario' | 'finishedAt' | 'parameters' | 'figures' | 'bottleneck' | 'cpuPercentOfOneCore'
  > {
  readonly file: string
  readonly commit: string | null
  readonly contended: boolean | null
  readonly record: RunRecord
}

export function loadRuns(): Run[] {
  return readRecords().map(({ file, record }) => ({
    ...record,
    file,
    contended: record.contention.contended,
    commit: record.git.commit,
    record,
  }))
}

const key = (parameters: Record<string, unknown>) => JSON.stringify(parameters)

/** The latest run and up to four before it with the same parameters, none of a different kind in between. */
export function latestGroup(runs: Run[]): Run[] {
  const latest = runs.at(-1)
  if (!latest) return []
  const group: Run[] = []
  for (let i = runs.length - 1; i >= 0 && group.length < TARGETS.runs; i--) {
    if (key(runs[i]!.parameters) !== key(latest.parameters)) break
    group.unshift(runs[i]!)
  }
  return group
}

function format(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  if (unit === 'ratio') return `${(value * 100).toFixed(value >= 0.999 && value < 1 ? 3 : 2)} %`
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  // Below 1, significant digits: a ratio of 0.0042 is not "0".
  const text = Math.abs(value) < 1
    ? value.toLocaleString('en', { maximumSignificantDigits: 3 })
    : value.toLocaleString('en', { maximumFractionDigits: digits })
  return unit === '×' ? `${text}×` : `${text} ${unit}`
}

function targetText(figure: Figure): string {
  const t = figure.target
  if (!t) return ''
  if (t.max !== undefined) return `≤ ${format(t.max, figure.unit)}`
  return `≥ ${format(t.min, figure.unit)}`
}

/** `runs`: how many runs the values stand for (fewer than TARGETS.runs is said), by default one each. */
export function verdict(values: number[], figure: Figure, runs = values.length): string {
  const t = figure.target
  if (!t || values.length === 0) return ''
  const mid = median(values)
  const short = runs < TARGETS.runs ? ` (${runs} of ${TARGETS.runs} runs)` : ''
  if (t.max !== undefined) {
    const worst = Math.max(...values)
    const limit = t.max === 0 ? 0 : t.max * TARGETS.worstRunFactor
    if (mid <= t.max) {
      return `**met**${short}${
        worst > limit ? `; a run at ${format(worst, figure.unit)} is worse than 2× the target` : ''
      }`
    }
    const by = mid - t.max
    return `**missed** by ${format(by, figure.unit)}${
      t.max > 0 ? ` (${Math.round((by / t.max) * 100)} % over)` : ''
    }${short}`
  }
  const min = t.min!
  const worst = Math.min(...values)
  if (mid >= min) {
    return `**met**${short}${
      worst < min / TARGETS.worstRunFactor
        ? `; a run at ${format(worst, figure.unit)} is worse than half the target`
        : ''
    }`
  }
  const by = min - mid
  return `**missed** by ${format(by, figure.unit)} (${Math.round((by / min) * 100)} % short)${short}`
}

/** The runs of a scenario summarised together: all of them, or one group per series for a scenario with series. */
interface Series {
  readonly name: string | null
  readonly runs: Run[]
  /**
   * Whether its latest run was made on the machine of the scenario's latest run. Only current series reach the
   * first table and the comparison: figures from different machines do not compare.
   */
  readonly current: boolean
}

const machineOf = (run: Run) => JSON.stringify(run.record.machine)

function seriesOf(scenario: Pick<Scenario, 'series'>, runs: Run[]): Series[] {
  const series = scenario.series
  if (!series) return [{ name: null, runs, current: true }]
  const machine = runs.length ? machineOf(runs.at(-1)!) : null
  const names = [...new Set(runs.map((run) => series.of(run.parameters)))]
  return names.map((name) => {
    const own = runs.filter((run) => series.of(run.parameters) === name)
    return { name, runs: own, current: machineOf(own.at(-1)!) === machine }
  })
}

/**
 * The figures a scenario with series computes across the latest group of each: the figures, the runs they come
 * from, and the fewest runs any compared series had (the verdict says when that is short of TARGETS.runs).
 */
function compared(scenario: Pick<Scenario, 'series'>, series: Series[]) {
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

function comparisonSection(scenario: Pick<Scenario, 'series'>, series: Series[]): string[] {
  const { figures, runs, fewestRuns } = compared(scenario, series)
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

function scenarioSection(
  name: string,
  summary: string,
  runs: Run[],
  chartLinks: string[],
  heading = `## ${name}`,
): string[] {
  const lines = [heading, '', summary, '']
  if (runs.length === 0) return [...lines, '_No runs yet._', '']
  const group = latestGroup(runs)
  const latest = group.at(-1)!
  const contended = group.filter((run) => run.contended).length
  lines.push(
    `Parameters: \`${key(latest.parameters)}\``,
    '',
    `Runs summarised (${group.length}, consecutive with these parameters): ${
      group.map((run) =>
        `[${run.finishedAt.slice(0, 16).replace('T', ' ')}](${run.file})${run.contended ? ' ⚠' : ''}`
      ).join(', ')
    }` +
      (contended > 0
        ? ` — ⚠ ${contended} of ${group.length} on a contended machine (other work used the CPUs while it ran, see the top of this page): figures are not final.`
        : '') +
      (group.some((run) => run.record.convertedFrom)
        ? ' Records converted from the formats before `npm run bench`: no git commit or versions recorded.'
        : ''),
    '',
    '| figure | target | min | median | max | verdict |',
    '|---|---|---|---|---|---|',
  )
  for (const [id, figure] of Object.entries(latest.figures)) {
    const values = group.map((run) => run.figures[id]?.value).filter((v): v is number =>
      typeof v === 'number' && !Number.isNaN(v)
    )
    const cells = values.length
      ? [
        format(Math.min(...values), figure.unit),
        format(median(values), figure.unit),
        format(Math.max(...values), figure.unit),
      ]
      : ['—', '—', '—']
    lines.push(
      `| ${figure.label} | ${targetText(figure)} | ${cells.join(' | ')} | ${verdict(values, figure)} |`,
    )
  }
  lines.push('', `Bottleneck (latest run): ${latest.bottleneck}`, '')
  for (const link of chartLinks) lines.push(link, '')
  return lines
}

/** Benchmarks with scripts of their own (not scenarios of `npm run bench`) whose results are in load/results/. */
const OTHER_BENCHMARKS: Record<string, string> = {
  client:
    'the client library alone (`node --expose-gc --conditions=plater-source --import tsx load/standalone/client-bench/command.ts`): heap per client, change rate absorbed, time to heal',
  'join-flood':
    'anonymous joins flooding the gateway while staff sign in (`node --import tsx load/standalone/join-flood/command.ts`)',
  'write-cost': 'backend CPU per write RPC with one writer on an idle database (`npm run bench:write-cost`)',
  'join-flood (before the gateway fix)': "the same, measured before the gateway's per-caller join limit",
}

/** One line per figure with a target: the latest group's median and verdict, across every scenario. */
function summaryRows(name: string, runs: Run[]): string[] {
  const group = latestGroup(runs)
  const latest = group.at(-1)
  if (!latest) return []
  const contended = group.some((run) => run.contended) ? ' ⚠' : ''
  return Object.entries(latest.figures)
    .filter(([, figure]) => figure.target)
    .map(([id, figure]) => {
      const values = group.map((run) => run.figures[id]?.value).filter((v): v is number =>
        typeof v === 'number' && !Number.isNaN(v)
      )
      return `| ${name}${contended} | ${figure.label} | ${targetText(figure)} | ${
        values.length ? format(median(values), figure.unit) : '—'
      } | ${verdict(values, figure)} |`
    })
}

/** The first table's lines for the compared figures with a target. */
function comparedRows(scenario: Pick<Scenario, 'name' | 'series'>, series: Series[]): string[] {
  if (!scenario.series) return []
  const { figures, fewestRuns } = compared(scenario, series)
  return figures.filter((figure) => figure.target).map((figure) =>
    `| ${scenario.name} | ${figure.label} | ${targetText(figure)} | ${
      comparedCells(figure, fewestRuns).join(' | ')
    } |`
  )
}

export function writeReport(): string {
  const runs = loadRuns()
  const chartsDir = join(RESULTS_DIR, 'charts')
  mkdirSync(chartsDir, { recursive: true })
  const byScenario = (name: string) => runs.filter((run) => run.scenario === name)
  const sections: string[] = []
  const cpuRows: { label: string; segments: Record<string, number> }[] = []
  const known = new Set(SCENARIOS.map((s) => s.name))
  const others = [...new Set(runs.map((run) => run.scenario))].filter((name) => !known.has(name))
  const described: Pick<Scenario, 'name' | 'summary' | 'series'>[] = [
    ...SCENARIOS,
    ...others.map((name) => ({
      name,
      summary: OTHER_BENCHMARKS[name] ?? 'results written by another script in load/',
    })),
  ]
  for (const scenario of described) {
    const own = byScenario(scenario.name)
    const series = seriesOf(scenario, own)
    // Charts read what `npm run bench` records hold in `data`; converted records hold their old format there.
    const latestRecords = series
      .filter((s) => s.current)
      .flatMap((s) => [...s.runs].reverse().find((run) => !run.record.convertedFrom) ?? [])
      .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))
      .map((run) => run.record)
    const links: string[] = []
    for (const chart of chartsFor(latestRecords)) {
      writeFileSync(join(chartsDir, chart.file), chart.svg)
      links.push(`![${chart.caption}](charts/${chart.file})`)
    }
    if (!scenario.series) {
      sections.push(...scenarioSection(scenario.name, scenario.summary, own, links))
    } else {
      sections.push(`## ${scenario.name}`, '', scenario.summary, '')
      for (const s of series) {
        const where = s.current
          ? ''
          : ` Made on another machine (${
            s.runs.at(-1)!.record.machine?.os ?? 'not recorded'
          }) than the scenario's latest run: not on the first table, not compared.`
        sections.push(
          ...scenarioSection(scenario.name, `Runs measuring ${s.name}.${where}`, s.runs, [], `### ${s.name}`),
        )
      }
      sections.push(...comparisonSection(scenario, series))
      for (const link of links) sections.push(link, '')
    }
    const latest = own.at(-1)
    if (latest && Object.keys(latest.cpuPercentOfOneCore).length > 0) {
      cpuRows.push({ label: scenario.name, segments: latest.cpuPercentOfOneCore })
    }
  }
  writeFileSync(
    join(chartsDir, 'cpu-per-process.svg'),
    stackedBarChart({
      title: 'CPU per process, latest run of each scenario',
      unit: '% of one core (2 cores = 200 %)',
      rows: cpuRows,
    }),
  )

  const machines = [
    ...new Set(
      runs.map((run) => run.record.machine).filter(Boolean).map((m) =>
        `${m!.cpus} × ${m!.cpuModel}, ${Math.round(m!.memoryBytes / 2 ** 30)} GiB (${m!.hostname})`
      ),
    ),
  ]
  const contendedRuns = runs.filter((run) => run.contended).length
  const lines = [
    '# Benchmark report',
    '',
    `Generated by \`npm run bench\` (load/report/report.ts) from ${runs.length} runs in ${
      new Set(runs.map((r) => r.file)).size
    } result files in this folder; do not edit by hand.`,
    `Targets are \`TARGETS\` in load/k6/scenarios.js (where they come from: docs/decisions.md). Each table summarises the latest run of a scenario and up to ${
      TARGETS.runs - 1
    } runs before it with the same parameters; a target is met when the median meets it.`,
    `Machines: ${
      machines.join('; ') || 'see the files'
    }. The load generator runs on the same machine; its CPU share is in every run's figures or bottleneck line.`,
    '',
    contendedRuns > 0
      ? `⚠ ${contendedRuns} of ${runs.length} runs were made on a contended machine, marked ⚠: other work (not the harness, not the stack under test) used more than ${CONTENDED_OTHER_CORES} of a core on average while they ran — or, for records written before that was measured, Linux CPU pressure was above 10 % in the minute before. Their figures show what the harness measures on a shared machine, not what the system can do; the figures to quote come from \`npm run bench -- all\` on a quiet machine.`
      : 'No run was made on a contended machine.',
    '',
    '## Against the targets',
    '',
    '| scenario | figure | target | median | verdict |',
    '|---|---|---|---|---|',
    ...described.flatMap((scenario) => {
      const series = seriesOf(scenario, byScenario(scenario.name))
      return [
        ...series.filter((s) => s.current).flatMap((s) =>
          summaryRows(s.name ? `${scenario.name} (${s.name})` : scenario.name, s.runs)
        ),
        ...comparedRows(scenario, series),
      ]
    }),
    '',
    '![CPU per process](charts/cpu-per-process.svg)',
    '',
    ...sections,
    '## Every run',
    '',
    '| finished (UTC) | scenario | file | commit | other work (cores) | contended |',
    '|---|---|---|---|---|---|',
    ...[...runs].reverse().map(
      (run) =>
        `| ${
          run.finishedAt.slice(0, 19).replace('T', ' ')
        } | ${run.scenario} | [${run.file}](${run.file}) | ${run.commit?.slice(0, 10) ?? '—'} | ${
          run.record.contention.otherWorkCores ?? '—'
        } | ${run.contended === null ? '?' : run.contended ? '⚠ yes' : 'no'} |`,
    ),
    '',
  ]
  const path = join(RESULTS_DIR, 'REPORT.md')
  writeFileSync(path, lines.join('\n'))
  return path
}
