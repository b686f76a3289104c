import type { RunRecord } from '../bench/record.ts';
import { TARGETS } from '../k6/scenarios.js';
import { lineChart, type Series } from './svg.ts';

/** The charts of a scenario's latest run: file name under load/results/charts/, SVG text, caption. */
export interface Chart {
  readonly file: string;
  readonly svg: string;
  readonly caption: string;
}

type Data = Record<string, any>;

const SYSTEM_NAMES: Record<string, string> = { bare: '(a) bare ws', relay: '(b) NOTIFY relay', gateway: '(c) gateway' };

function hotTopicCharts(record: RunRecord): Chart[] {
  const systems = record.data.systems as Record<string, Data[]>;
  const series: Series[] = Object.entries(systems).flatMap(([name, steps]) => [
    { name: `${SYSTEM_NAMES[name] ?? name} p99`, points: steps.map((s) => [s.deliveriesPerSecond, s.latencyFromSourceMs.p99] as const) },
    { name: `${SYSTEM_NAMES[name] ?? name} p50`, points: steps.map((s) => [s.deliveriesPerSecond, s.latencyFromSourceMs.p50] as const), dashed: true },
  ]);
  const charts: Chart[] = [
    {
      file: 'hot-topic-latency-vs-load.svg',
      caption: 'Hot topic: latency vs load, the three systems',
      svg: lineChart({
        title: `Latency vs load: ${record.parameters.subscribers} subscribers on one topic`,
        xLabel: 'deliveries per second carried',
        yLabel: 'source clock → callback (ms)',
        series,
        thresholds: [{ y: TARGETS.baselines.latencyCeilingP99Ms, label: 'p99 target 100 ms' }],
        logY: true,
      }),
    },
  ];
  const headline = systems.gateway?.find((s) => s.rate === record.parameters.headlineRate);
  if (headline) {
    const bySecond = headline.sourceLatencyBySecond as { second: number; p50: number; p95: number; p99: number }[];
    charts.push({
      file: 'hot-topic-latency-over-time.svg',
      caption: 'Hot topic: gateway latency percentiles over time',
      svg: lineChart({
        title: `Gateway latency over time: ${record.parameters.subscribers} subscribers × ${headline.rate}/s`,
        xLabel: 'second of the measured window',
        yLabel: 'DB clock → callback (ms)',
        series: (['p50', 'p95', 'p99'] as const).map((p) => ({ name: p, points: bySecond.map((b) => [b.second, b[p]] as const) })),
        thresholds: [{ y: TARGETS.hotTopic.p99Ms.max, label: 'p99 target' }],
      }),
    });
  }
  return charts;
}

const BUILDERS: Record<string, (record: RunRecord) => Chart[]> = {
  'hot-topic': hotTopicCharts,
};

export function chartsFor(record: RunRecord): Chart[] {
  return BUILDERS[record.scenario]?.(record) ?? [];
}
