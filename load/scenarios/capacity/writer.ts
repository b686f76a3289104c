import * as hdr from 'hdr-histogram-js'
import type { Sql } from 'postgres'
import { openLoop } from '../../bench/open-loop.ts'
import { HISTOGRAM } from '../../bench/stats.ts'
import { actingAs, CYCLE_STEPS, type CycleTable, runCycleStep } from '../../bench/table-cycle.ts'

export interface WriterOutcome {
  readonly sent: number
  readonly failed: number
  /** Slots with no idle table (every table busy with its previous step): not sent. */
  readonly skipped: number
  readonly behindMs: number
  /**
   * Due time → the RPC answered (ms), every write: a write queued for one of the pool's connections waits here,
   * where the delivery latency (from the publishing statement's clock) cannot see it.
   */
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number }
  /** Failures by RPC and error, for the record. */
  readonly failures: Record<string, number>
}

/**
 * The service's writes at an open-loop rate, as the service scenario drives them: each slot goes to the next
 * idle table, which runs the next step of its cycle (seat, order, start ×2, finish ×2, serve, clear) as the staff
 * member who does it. Tables keep their place in the cycle from one call to the next.
 */
export class TableWriter {
  readonly #as
  readonly #steps: number[]
  readonly #busy: boolean[]
  #cursor = 0

  constructor(sql: Sql, readonly tables: CycleTable[]) {
    this.#as = actingAs(sql)
    this.#steps = tables.map(() => 0)
    this.#busy = tables.map(() => false)
  }

  #nextIdle(): number | undefined {
    for (let probe = 0; probe < this.tables.length; probe++) {
      const t = this.#cursor++ % this.tables.length
      if (!this.#busy[t]) return t
    }
    return undefined
  }

  async drive(rate: number, seconds: number): Promise<WriterOutcome> {
    let skipped = 0
    const failures: Record<string, number> = {}
    const latency = hdr.build(HISTOGRAM)
    const answered = (due: number) =>
      latency.recordValue(Math.max(1, Math.round((performance.timeOrigin + performance.now() - due) * 1000)))
    const outcome = await openLoop(
      rate,
      Math.round(rate * seconds),
      performance.timeOrigin + performance.now(),
      (_seq, due) => {
        const t = this.#nextIdle()
        if (t === undefined) {
          skipped++
          return undefined
        }
        this.#busy[t] = true
        const step = this.#steps[t]!
        return runCycleStep(this.#as, this.tables[t]!, step).then(
          () => {
            answered(due)
            this.#steps[t] = (step + 1) % CYCLE_STEPS.length
            this.#busy[t] = false
          },
          (error: { code?: string; message?: string }) => {
            answered(due)
            const key = `${CYCLE_STEPS[step]}: ${error.code ?? ''} ${error.message ?? error}`
            failures[key] = (failures[key] ?? 0) + 1
            this.#busy[t] = false
            throw error
          },
        )
      },
    )
    return {
      sent: outcome.sent - skipped,
      failed: outcome.failed,
      skipped,
      behindMs: outcome.behindMs,
      latencyMs: {
        p50: latency.getValueAtPercentile(50) / 1000,
        p95: latency.getValueAtPercentile(95) / 1000,
        p99: latency.getValueAtPercentile(99) / 1000,
        max: latency.maxValue / 1000,
      },
      failures,
    }
  }
}
