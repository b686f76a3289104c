import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TARGETS } from '../k6/scenarios.js'
import { SCENARIOS } from '../bench/scenarios.ts'
import { RESULTS_DIR } from '../bench/paths.ts'
import type { Scenario } from '../bench/scenario.ts'
import { median } from '../bench/stats.ts'
import { chartsFor } from './charts.ts'
import { CONTENDED_OTHER_CORES } from '../bench/contention.ts'
import { latestGroup, loadRuns, parametersKey, type Run } from './runs.ts'
import { compared, comparedRows, comparisonSection, seriesOf } from './series.ts'
import { stackedBarChart } from './svg.ts'
import { format, targetText, verdict } from './verdict.ts'

/**
 * load/results/REPORT.md, rebuilt from every result file there: per scenario, the five most recent consecutive runs
 * with the same parameters (min / median / max of each figure) against the targets (TARGETS in k6/scenarios.js), the
 * verdict (met, or missed by how much — no run may be worse than twice the target), the bottleneck measured in the
 * latest run, and
 * charts (load/results/charts/*.svg). Every figure names the files it comes from.
 */

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
    `Parameters: \`${parametersKey(latest.parameters)}\``,
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
  const summarised = described.map((scenario) => {
    const own = byScenario(scenario.name)
    const series = seriesOf(scenario, own)
    return { scenario, own, series, comparison: compared(scenario, series) }
  })
  for (const { scenario, own, series, comparison } of summarised) {
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
      sections.push(...comparisonSection(comparison))
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
    ...summarised.flatMap(({ scenario, series, comparison }) => [
      ...series.filter((s) => s.current).flatMap((s) =>
        summaryRows(s.name ? `${scenario.name} (${s.name})` : scenario.name, s.runs)
      ),
      ...comparedRows(scenario.name, comparison),
    ]),
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
