import { TARGETS } from '../../k6/scenarios.js'
import type { ScenarioOutput } from '../../bench/scenario.ts'

/** What one join-flood run measured (./command.ts), as its record keeps it in `data`. */
export interface JoinFloodResult {
  readonly parameters: {
    rate: number
    flooders: number
    seconds: number
    staffEverySeconds: number
    [more: string]: unknown
  }
  readonly staff: { successPercent: number; joinMs: { p95: number } }
  readonly flood: { joinsPerSecond: number }
  readonly gateway: { cpuSeconds: number; rateLimitedJoins?: unknown }
  readonly harnessCpuSeconds: number
  readonly seconds: number
}

/** A join-flood run's figures against the targets: staff join success while anonymous joins flood the gateway. */
export function joinFloodOutput(result: JoinFloodResult): ScenarioOutput {
  const { staff, flood, parameters: p } = result
  const gatewayPercent = Math.round((result.gateway.cpuSeconds / result.seconds) * 100)
  const generatorPercent = Math.round((result.harnessCpuSeconds / result.seconds) * 100)
  return {
    parameters: {
      rate: p.rate,
      flooders: p.flooders,
      seconds: p.seconds,
      staffEverySeconds: p.staffEverySeconds,
    },
    figures: {
      staffJoinSuccess: {
        label: `staff joins that succeeded during an anonymous join flood at ${
          Math.round(flood.joinsPerSecond)
        } joins/s`,
        value: staff.successPercent / 100,
        unit: 'ratio',
        target: TARGETS.joinFlood.staffJoinSuccess,
      },
      floodRate: {
        label: 'anonymous joins per second sent',
        value: Math.round(flood.joinsPerSecond),
        unit: '/s',
        target: { min: TARGETS.joinFlood.anonymousJoinsPerSecond },
      },
      staffJoinP95: { label: 'staff join p95', value: Math.round(staff.joinMs.p95 * 10) / 10, unit: 'ms' },
    },
    bottleneck:
      `gateway ${gatewayPercent} % of a core, load generator ${generatorPercent} %; the flood is refused by the join limits (${
        JSON.stringify(result.gateway.rateLimitedJoins ?? {})
      } refusals)`,
    cpuPercentOfOneCore: { gateway: gatewayPercent, 'load generator': generatorPercent },
    data: result as unknown as Record<string, unknown>,
  }
}
