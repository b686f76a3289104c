import { TARGETS } from '../../k6/scenarios.js'
import type { ScenarioOutput } from '../../bench/scenario.ts'
import type { ServiceResult } from './measure.ts'

/** The service run's figures against the targets, from what ./command.ts measured (kept whole as the record's data). */
export function serviceOutput(result: ServiceResult): ScenarioOutput {
  const latency = result.latencyMs.tsToCallback
  const p = result.parameters
  const cpu = result.cpuPercentOfOneCore
  return {
    // The writer's pool and which gateway decoded change the figures as much as the rate: another group each.
    parameters: {
      restaurants: p.restaurants,
      sockets: p.sockets,
      rate: p.mutationsPerSecond,
      duration: p.seconds,
      pool: p.writerPool,
      gateway: p.gateway,
    },
    figures: {
      p50: {
        label:
          `${p.sockets} sockets over ${p.topics} topics, ${p.mutationsPerSecond} mutations/s: p50 (envelope ts → callback)`,
        value: latency.p50,
        unit: 'ms',
        target: TARGETS.service.p50Ms,
      },
      p95: { label: 'p95', value: latency.p95, unit: 'ms', target: TARGETS.service.p95Ms },
      p99: { label: 'p99', value: latency.p99, unit: 'ms', target: TARGETS.service.p99Ms },
      lost: {
        label: 'seqs lost (per socket, summed)',
        value: result.deliveries.lost,
        unit: 'messages',
        target: TARGETS.service.lost,
      },
      duplicates: {
        label: 'duplicate deliveries',
        value: result.deliveries.duplicates ?? null,
        unit: 'messages',
        target: { max: 0 },
      },
      mutationsPerSecond: { label: 'mutations/s achieved', value: result.mutations.perSecond, unit: '/s' },
      deliveriesPerSecond: { label: 'deliveries/s', value: result.deliveries.perSecond, unit: '/s' },
      loadGenerator: {
        label: 'load generator CPU (writer + subscribers)',
        value: cpu.harness,
        unit: '% of a core',
      },
    },
    bottleneck:
      `CPU (% of one core): postgres ${cpu.postgres} % (${cpu.postgresMsPerMutation} ms per mutation), gateway ${cpu.gateway} %, load generator ${cpu.harness} %; machine ${cpu.machineBusyPercentOfAllCores} % busy of all cores`,
    cpuPercentOfOneCore: { gateway: cpu.gateway, postgres: cpu.postgres, 'load generator': cpu.harness },
    data: result as unknown as Record<string, unknown>,
  }
}
