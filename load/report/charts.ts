import type { RunRecord } from '../bench/record.ts'
import { capacityCharts } from '../scenarios/capacity/charts.ts'
import { TARGETS } from '../k6/scenarios.js'
import { lineChart, type Series, stackedBarChart } from './svg.ts'

/** The charts of a scenario's latest run: file name under load/results/charts/, SVG text, caption. */
export interface Chart {
  readonly file: string
  readonly svg: string
  readonly caption: string
}

// deno-lint-ignore no-explicit-any -- result records of every format this report has read; each chart reads its fields
type Data = Record<string, any>

const SYSTEM_NAMES: Record<string, string> = {
  bare: '(a) bare ws',
  relay: '(b) NOTIFY relay',
  gateway: '(c) gateway',
}

function hotTopicCharts(record: RunRecord): Chart[] {
  const systems = record.data.systems as Record<string, Data[]>
  const series: Series[] = Object.entries(systems).flatMap(([name, steps], i) => [
    {
      name: `${SYSTEM_NAMES[name] ?? name} p99 from due`,
      points: steps.map((s) =>
        [s.deliveriesPerSecond, s.latencyFromDueMs?.p99 ?? s.latencyFromSourceMs.p99] as const
      ),
      colorIndex: i,
    },
    {
      name: `${SYSTEM_NAMES[name] ?? name} p50 from source`,
      points: steps.map((s) => [s.deliveriesPerSecond, s.latencyFromSourceMs.p50] as const),
      dashed: true,
      colorIndex: i,
    },
  ])
  const charts: Chart[] = [
    {
      file: 'hot-topic-latency-vs-load.svg',
      caption: 'Hot topic: latency vs load, the three systems',
      svg: lineChart({
        title: `Latency vs load: ${record.parameters.subscribers} subscribers on one topic`,
        xLabel: 'deliveries per second carried',
        yLabel: 'latency to the callback (ms)',
        series,
        thresholds: [{ y: TARGETS.baselines.latencyCeilingP99Ms, label: 'p99 target 100 ms' }],
        logY: true,
      }),
    },
  ]
  const headline = systems.gateway?.find((s) => s.rate === record.parameters.headlineRate)
  if (headline) {
    const bySecond = headline.sourceLatencyBySecond as {
      second: number
      p50: number
      p95: number
      p99: number
    }[]
    charts.push({
      file: 'hot-topic-latency-over-time.svg',
      caption: 'Hot topic: gateway latency percentiles over time',
      svg: lineChart({
        title: `Gateway latency over time: ${record.parameters.subscribers} subscribers × ${headline.rate}/s`,
        xLabel: 'second of the measured window',
        yLabel: 'DB clock → callback (ms)',
        series: (['p50', 'p95', 'p99'] as const).map((p) => ({
          name: p,
          points: bySecond.map((b) => [b.second, b[p]] as const),
        })),
        thresholds: [{ y: TARGETS.hotTopic.p99Ms.max, label: 'p99 target' }],
      }),
    })
  }
  return charts
}

function chaosCharts(record: RunRecord): Chart[] {
  const outages = record.data.outages as {
    kind: string
    atSecond: number
    downSeconds: number
    healSeconds: number | null
  }[]
  return [
    {
      file: 'chaos-time-to-heal.svg',
      caption: 'Chaos: each outage, stack down and time until every subscriber held everything',
      svg: stackedBarChart({
        title: 'Chaos: time to heal per outage',
        unit: 'seconds from the outage',
        rows: outages.map((o) => ({
          label: `${o.kind} at ${Math.round(o.atSecond)} s`,
          segments: {
            'stack down': o.downSeconds,
            'catching up after restart': Math.max(0, (o.healSeconds ?? o.downSeconds) - o.downSeconds),
          },
        })),
      }),
    },
  ]
}

function connectionCharts(record: RunRecord): Chart[] {
  const phases = record.data as Record<string, Data>
  const kb = (bytes: number) => Math.round(bytes / 102.4) / 10
  return [
    {
      file: 'connections-rss-per-socket.svg',
      caption: 'Connections: RSS per idle socket, without and after a forced GC',
      svg: stackedBarChart({
        title: `Gateway RSS per idle socket (${record.parameters.sockets} sockets)`,
        unit: 'KB per socket (target ≤ 10 KB)',
        rows: [
          { label: 'connected', segments: { 'no forced GC': kb(phases.connectedOnly!.bytesPerSocket) } },
          {
            label: 'connected, GC',
            segments: { 'after a forced GC': kb(phases.connectedOnly!.bytesPerSocketAfterGc) },
          },
          { label: 'one channel', segments: { 'no forced GC': kb(phases.joinedOneChannel!.bytesPerSocket) } },
          {
            label: 'one channel, GC',
            segments: { 'after a forced GC': kb(phases.joinedOneChannel!.bytesPerSocketAfterGc) },
          },
        ],
      }),
    },
  ]
}

/** Charts drawn from a scenario's latest run alone. */
const LATEST_RUN: Record<string, (record: RunRecord) => Chart[]> = {
  'hot-topic': hotTopicCharts,
  connections: connectionCharts,
  chaos: chaosCharts,
}

/** Charts drawn from the latest run of each series of a scenario (capacity: ours and the peer, run apart). */
const LATEST_OF_EACH_SERIES: Record<string, (records: readonly RunRecord[]) => Chart[]> = {
  capacity: capacityCharts,
}

/** `latest`: a scenario's latest run of each series, oldest first (for most scenarios: its one latest run). */
export function chartsFor(latest: readonly RunRecord[]): Chart[] {
  const newest = latest.at(-1)
  if (!newest) return []
  return LATEST_OF_EACH_SERIES[newest.scenario]?.(latest) ?? LATEST_RUN[newest.scenario]?.(newest) ?? []
}
