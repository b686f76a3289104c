import { cpus } from 'node:os';
import type { Figure } from '../bench/record.ts';
import { TARGETS } from '../k6/scenarios.js';

/**
 * Result files of other formats — written before `npm run bench` existed (gateway-latency-*, gateway-memory-*,
 * functions-bench-*), or by the scripts that still write their own (service-bench-*, join-flood-*) — read into the
 * report's terms so no run is left out. They lack the git commit and versions; the report says so.
 */
export interface LegacyRun {
  readonly scenario: string;
  readonly finishedAt: string;
  readonly parameters: Record<string, unknown>;
  readonly contended: boolean | null;
  readonly figures: Record<string, Figure>;
  readonly bottleneck: string;
  readonly cpuPercentOfOneCore: Record<string, number>;
}

type Json = Record<string, any>;

/** The time in a result file's name (`<name>-2026-11-30T21-22-43-192Z.json`), as ISO 8601. */
function stampOf(file: string): string {
  const match = /(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z/.exec(file);
  return match ? `${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z` : '';
}

function contendedFrom(before: Json | undefined): boolean | null {
  if (!before) return null;
  const psi = before.cpuPressureSomeAvg60 as number | null;
  return (psi !== null && psi > 10) || (before.loadAverage?.[0] ?? 0) > cpus().length;
}

function hotTopic(json: Json): LegacyRun[] {
  const latency = json.latencyMs.commitAckToCallback;
  const rate = json.parameters.insertsPerSecond;
  return [
    {
      scenario: 'hot-topic',
      finishedAt: json.date,
      parameters: { subscribers: json.parameters.subscribers, headlineRate: rate, systems: ['gateway'], duration: json.parameters.seconds },
      contended: contendedFrom(json.contention?.before),
      figures: {
        delivered: { label: `gateway, ${json.parameters.subscribers} subscribers × ${rate}/s: delivered`, value: json.deliveries.ratio, unit: 'ratio', target: TARGETS.hotTopic.deliveredRatio },
        p50: { label: `gateway p50 (commit ack → callback, inserter's clock) at ${rate}/s`, value: latency.p50, unit: 'ms' },
        p95: { label: `gateway p95 at ${rate}/s`, value: latency.p95, unit: 'ms' },
        p99: { label: `gateway p99 at ${rate}/s`, value: latency.p99, unit: 'ms', target: TARGETS.hotTopic.p99Ms },
      },
      bottleneck: `gateway ${json.gateway.cpuPercentOfOneCore} % of a core, load generator ${json.harnessCpuPercentOfOneCore} %`,
      cpuPercentOfOneCore: { gateway: json.gateway.cpuPercentOfOneCore, 'load generator': json.harnessCpuPercentOfOneCore },
    },
  ];
}

function memory(json: Json): LegacyRun[] {
  return [
    {
      scenario: 'connections',
      finishedAt: json.date,
      parameters: { sockets: json.parameters.sockets, settle: json.parameters.settleSeconds },
      contended: contendedFrom(json.contention),
      figures: {
        rssPerSocket: { label: `RSS per idle socket, connected only (${json.parameters.sockets} sockets, after a forced GC)`, value: json.connectedOnly.bytesPerSocket, unit: 'bytes', target: TARGETS.connections.rssPerIdleSocketBytes },
        rssPerSocketJoined: { label: 'RSS per idle socket with one joined channel (after a forced GC)', value: json.joinedOneChannel.bytesPerSocket, unit: 'bytes', target: TARGETS.connections.rssPerIdleSocketBytes },
      },
      bottleneck: 'memory only (no CPU figures in this format)',
      cpuPercentOfOneCore: {},
    },
  ];
}

export function serviceRun(json: Json): Omit<LegacyRun, 'contended' | 'finishedAt'> {
  const latency = json.latencyMs.tsToCallback;
  const p = json.parameters;
  const cpu = json.cpuPercentOfOneCore;
  return {
    scenario: 'service',
    // The writer's pool and which gateway decoded change the figures as much as the rate: another group each.
    parameters: { restaurants: p.restaurants, sockets: p.sockets, rate: p.mutationsPerSecond, duration: p.seconds, pool: p.writerPool, gateway: p.gateway },
    figures: {
      p50: { label: `${p.sockets} sockets over ${p.topics} topics, ${p.mutationsPerSecond} mutations/s: p50 (envelope ts → callback)`, value: latency.p50, unit: 'ms', target: TARGETS.service.p50Ms },
      p95: { label: 'p95', value: latency.p95, unit: 'ms', target: TARGETS.service.p95Ms },
      p99: { label: 'p99', value: latency.p99, unit: 'ms', target: TARGETS.service.p99Ms },
      lost: { label: 'seqs lost (per socket, summed)', value: json.deliveries.lost, unit: 'messages', target: TARGETS.service.lost },
      duplicates: { label: 'duplicate deliveries', value: json.deliveries.duplicates ?? null, unit: 'messages', target: { max: 0 } },
      mutationsPerSecond: { label: 'mutations/s achieved', value: json.mutations.perSecond, unit: '/s' },
      deliveriesPerSecond: { label: 'deliveries/s', value: json.deliveries.perSecond, unit: '/s' },
      loadGenerator: { label: 'load generator CPU (writer + subscribers)', value: cpu.harness, unit: '% of a core' },
    },
    bottleneck: `CPU (% of one core): postgres ${cpu.postgres} % (${cpu.postgresMsPerMutation} ms per mutation), gateway ${cpu.gateway} %, load generator ${cpu.harness} %; machine ${cpu.machineBusyPercentOfAllCores} % busy of all cores`,
    cpuPercentOfOneCore: { gateway: cpu.gateway, postgres: cpu.postgres, 'load generator': cpu.harness },
  };
}

function service(json: Json): LegacyRun[] {
  return [{ ...serviceRun(json), finishedAt: json.date, contended: contendedFrom(json.contention?.before) }];
}

function functions(json: Json): LegacyRun[] {
  const runs: LegacyRun[] = [];
  const contended = Array.isArray(json.machine?.loadavg_after) ? json.machine.loadavg_after[0] > json.machine.cpus : null;
  const cpuOf = (c: Json | undefined): Record<string, number> =>
    c ? { 'API server': c.api_server, 'function workers': Object.values(c.workers as Record<string, number>).reduce((a, b) => a + b, 0), postgres: c.postgres, 'load generator': c.generator } : {};
  if (json.mutations) {
    const m = json.mutations;
    runs.push({
      scenario: 'mutations',
      finishedAt: json.at,
      parameters: { rate: m.target_rate, duration: m.seconds },
      contended,
      figures: {
        p50: { label: `kitchen mutation at ${m.target_rate}/s (open loop, from due time): p50`, value: m.latency.p50_ms, unit: 'ms' },
        p95: { label: 'p95', value: m.latency.p95_ms, unit: 'ms', target: TARGETS.mutations.p95Ms },
        p99: { label: 'p99', value: m.latency.p99_ms, unit: 'ms' },
        achieved: { label: 'achieved rate', value: m.achieved_rate, unit: '/s' },
      },
      bottleneck: m.cpu_ms_per_request ? `CPU ms per request: ${JSON.stringify(cpuOf(m.cpu_ms_per_request))}` : 'no CPU figures',
      cpuPercentOfOneCore: {},
    });
  }
  if (json.revalidations) {
    const r = json.revalidations;
    runs.push({
      scenario: 'revalidations',
      finishedAt: json.at,
      parameters: { concurrency: r.concurrency, duration: Math.round(r.seconds) },
      contended,
      figures: { perSecond: { label: `304 revalidations per second (${r.concurrency} connections)`, value: r.per_second_304, unit: '/s', target: TARGETS.revalidations.perSecond } },
      bottleneck: r.cpu_ms_per_request ? `CPU ms per request: ${JSON.stringify(cpuOf(r.cpu_ms_per_request))}` : 'no CPU figures',
      cpuPercentOfOneCore: {},
    });
  }
  return runs;
}

function joinFlood(scenario: string, file: string, json: Json): LegacyRun[] {
  const { staff, flood, parameters: p } = json;
  return [
    {
      scenario,
      finishedAt: json.date ?? stampOf(file),
      parameters: { rate: p.rate, flooders: p.flooders, seconds: p.seconds, staffEverySeconds: p.staffEverySeconds },
      contended: contendedFrom(json.contention),
      figures: {
        staffJoinSuccess: { label: `staff joins that succeeded during an anonymous join flood at ${Math.round(flood.joinsPerSecond)} joins/s`, value: staff.successPercent / 100, unit: 'ratio', target: TARGETS.joinFlood.staffJoinSuccess },
        floodRate: { label: 'anonymous joins per second sent', value: Math.round(flood.joinsPerSecond), unit: '/s', target: { min: TARGETS.joinFlood.anonymousJoinsPerSecond } },
        staffJoinP95: { label: 'staff join p95', value: Math.round(staff.joinMs.p95 * 10) / 10, unit: 'ms' },
      },
      bottleneck: `gateway ${Math.round((json.gateway.cpuSeconds / json.seconds) * 100)} % of a core, load generator ${Math.round((json.harnessCpuSeconds / json.seconds) * 100)} %; the flood is refused by the join limits (${JSON.stringify(json.gateway.rateLimitedJoins ?? {})} refusals)`,
      cpuPercentOfOneCore: {
        gateway: Math.round((json.gateway.cpuSeconds / json.seconds) * 100),
        'load generator': Math.round((json.harnessCpuSeconds / json.seconds) * 100),
      },
    },
  ];
}

/** The runs an earlier-format file holds, or undefined when the file is not one of them. */
export function fromLegacy(file: string, json: Json): LegacyRun[] | undefined {
  if (file.startsWith('gateway-latency-')) return hotTopic(json);
  if (file.startsWith('gateway-memory-')) return memory(json);
  if (file.startsWith('service-bench-')) return service(json);
  if (file.startsWith('functions-bench-')) return functions(json);
  if (file.startsWith('join-flood-before-fix-')) return joinFlood('join-flood (before the gateway fix)', file, json);
  if (file.startsWith('join-flood-')) return joinFlood('join-flood', file, json);
  return undefined;
}
