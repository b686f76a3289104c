import type { ScenarioOutput } from '../../bench/scenario.ts'
import { median as medianOf } from '../../bench/stats.ts'
import type { WalShare } from '../../bench/wal.ts'

/** What one write-cost invocation measured (./command.ts), as its record keeps it in `data`. */
export interface WriteCostResult {
  readonly label: string
  readonly parameters: { restaurants: number; tables: number; cycles: number }
  readonly backendMsPerWrite: { min: number; median: number; max: number }
  readonly runs: {
    writes: number
    backendMsPerWrite: number
    backendMsByRpc: Record<string, number>
    /** The whole stack's WAL in the run (autovacuum and the janitor included), per write. */
    walBytesPerWrite: number
  }[]
  readonly walByRelationLastRun?: WalShare[]
}

/** Backend CPU per write RPC, min / median / max over the runs; `label` (what differed) keeps experiments apart. */
export function writeCostOutput(result: WriteCostResult): ScenarioOutput {
  const { min, median, max } = result.backendMsPerWrite
  return {
    parameters: { ...result.parameters, label: result.label },
    figures: {
      median: {
        label:
          `Postgres backend CPU per write RPC, one writer, median of ${result.runs.length} runs (${result.label})`,
        value: median,
        unit: 'ms',
      },
      min: { label: 'fastest run', value: min, unit: 'ms' },
      max: { label: 'slowest run', value: max, unit: 'ms' },
      walBytesPerWrite: {
        label: 'WAL the stack wrote per write RPC, median of the runs',
        value: medianOf(result.runs.map((r) => r.walBytesPerWrite)),
        unit: 'bytes',
      },
    },
    bottleneck: 'one writer on an idle database: the write path itself (no queueing, no decoding)',
    cpuPercentOfOneCore: {},
    data: result as unknown as Record<string, unknown>,
  }
}
