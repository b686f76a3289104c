import type { RunRecord } from '../../bench/record.ts'
import { median } from '../../bench/stats.ts'
import { lineChart, type Series, stackedBarChart } from '../../report/svg.ts'
import { TARGETS } from './options.ts'
import type { StepResult } from './step.ts'

type Percentile = 'p50' | 'p95' | 'p99'

/** One point per rate: the median over the sweeps that measured it. */
function byRate(steps: StepResult[], value: (s: StepResult) => number | null): [number, number][] {
  const rates = [...new Set(steps.map((s) => s.rate))].sort((a, b) => a - b)
  return rates.flatMap((rate) => {
    const values = steps.filter((s) => s.rate === rate).map(value).filter((v): v is number => v !== null)
    return values.length ? [[rate, median(values)] as [number, number]] : []
  })
}

/**
 * REPORT.md's capacity charts (the report's Chart shape, which report/charts.ts imports this for): latency vs rate
 * for each system, and CPU per process at each rate of sweep 1. `records`: the latest run of each series, oldest
 * first; a system measured in several takes its steps from the newest.
 */
export function capacityCharts(
  records: readonly RunRecord[],
): { file: string; svg: string; caption: string }[] {
  const record = records.at(-1)!
  const systems: Record<string, { steps: StepResult[] }> = Object.assign(
    {},
    ...records.map((r) => r.data.systems as Record<string, { steps: StepResult[] }>),
  )
  const series: Series[] = Object.entries(systems).flatMap(([system, { steps }], i) =>
    (['p50', 'p95', 'p99'] as Percentile[]).map((p) => ({
      name: `${system} ${p}`,
      points: byRate(steps, (s) => s.latencyMs[p]),
      dashed: p !== 'p99',
      colorIndex: i,
    }))
  )
  return [
    {
      file: 'capacity-latency-vs-rate.svg',
      caption: 'Capacity: latency vs write rate, ours and the peer (median over sweeps)',
      svg: lineChart({
        title:
          `Latency vs write rate: ${record.parameters.sockets} sockets, ${record.parameters.restaurants} restaurants`,
        xLabel: 'writes per second',
        yLabel: 'database clock → callback (ms)',
        series,
        thresholds: [
          { y: TARGETS.p50Ms, label: `p50 target ${TARGETS.p50Ms} ms` },
          { y: TARGETS.p95Ms, label: `p95 target ${TARGETS.p95Ms} ms` },
          { y: TARGETS.p99Ms, label: `p99 target ${TARGETS.p99Ms} ms` },
        ],
        logY: true,
      }),
    },
    {
      file: 'capacity-cpu-per-step.svg',
      caption: 'Capacity: CPU per process at each rate of the first sweep',
      svg: stackedBarChart({
        title: 'CPU per process per step (sweep 1)',
        unit: '% of one core (2 cores = 200 %)',
        rows: Object.entries(systems).flatMap(([system, { steps }]) =>
          steps.filter((s) => s.sweep === 1).map((s) => ({
            label: `${system} ${s.rate}/s (${s.readings.machineBusyPercent} % busy)`,
            segments: {
              postgres: s.readings.cpuPercentOfOneCore.postgres,
              gateway: s.readings.cpuPercentOfOneCore.gateway,
              'load generator': s.readings.cpuPercentOfOneCore.generator,
            },
          }))
        ),
      }),
    },
  ]
}
