import * as hdr from 'hdr-histogram-js'
import type { Sql } from 'postgres'
import { HISTOGRAM } from '../../bench/stats.ts'
import { actingAs, CYCLE_STEPS, type CycleTable, runCycleStep } from '../../bench/table-cycle.ts'
import { type Restaurant, SERVERS, TABLES } from './restaurants.ts'

/** One table's service cycle, driven by the writer. */
interface TableState extends CycleTable {
  step: number
  busy: boolean
}

export interface DriveOutcome {
  readonly sent: number
  readonly failed: number
  readonly skipped: number
  /** How far the writer fell behind its schedule at worst. */
  readonly behindMs: number
}

/**
 * The service benchmark's writer: table cycles (bench/table-cycle.ts), each call in one transaction as the staff
 * member, open loop at `rate` calls a second, round-robin over idle tables interleaved across restaurants (a
 * table runs one step at a time). Records each call's latency and each failure.
 */
export class ServiceWriter {
  readonly mutationLatency = hdr.build(HISTOGRAM)
  readonly failures: Record<string, number> = {}
  readonly #tables: TableState[] = []
  readonly #as: ReturnType<typeof actingAs>
  #cursor = 0

  constructor(
    sql: Sql,
    restaurants: Restaurant[],
    readonly rate: number,
  ) {
    this.#as = actingAs(sql)
    let menuCursor = 0
    for (let k = 0; k < TABLES; k++) {
      for (const r of restaurants) {
        this.#tables.push({
          id: r.tables[k]!,
          server: r.servers[k % SERVERS]!,
          nextDishes:
            () => [r.menu[menuCursor++ % r.menu.length]!.id, r.menu[menuCursor++ % r.menu.length]!.id],
          cookAt: (station) => r.cooks[r.stations.indexOf(station)]!,
          step: 0,
          busy: false,
        })
      }
    }
  }

  /** `count` calls at the rate, from now; resolves when every call has answered. */
  async drive(count: number): Promise<DriveOutcome> {
    const tables = this.#tables
    const start = performance.now()
    const pending: Promise<unknown>[] = []
    let failed = 0
    let skipped = 0
    let behindMs = 0
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / this.rate
      const wait = due - performance.now()
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
      else behindMs = Math.max(behindMs, -wait)
      // Open loop: the next idle table gets this slot; a table runs one step at a time.
      let t: TableState | undefined
      for (let probe = 0; probe < tables.length && !t; probe++) {
        const candidate = tables[this.#cursor++ % tables.length]!
        if (!candidate.busy) t = candidate
      }
      if (!t) {
        skipped++
        continue
      }
      const table = t
      table.busy = true
      const issued = performance.now()
      pending.push(
        runCycleStep(this.#as, table, table.step).then(
          () => {
            this.mutationLatency.recordValue(Math.max(1, Math.round((performance.now() - issued) * 1000)))
            table.step = (table.step + 1) % CYCLE_STEPS.length
            table.busy = false
          },
          (error: { code?: string; message?: string }) => {
            failed++
            const key = `${CYCLE_STEPS[table.step]}: ${error.code ?? ''} ${error.message ?? error}`
            this.failures[key] = (this.failures[key] ?? 0) + 1
            table.busy = false
          },
        ),
      )
    }
    await Promise.all(pending)
    return { sent: count - failed - skipped, failed, skipped, behindMs: Math.round(behindMs) }
  }
}
