import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { cpuSeconds } from '../../bench/machine.ts'
import { watchContention } from '../../bench/contention.ts'
import { postmasterPid } from '../../bench/postgres-cpu.ts'
import { appendRecord, recordOf } from '../../bench/record.ts'
import { postgresVersion, stackEndpoints } from '../../bench/stack.ts'
import { writeCostOutput } from './figures.ts'
import { median } from '../../bench/stats.ts'
import { seedOrderHistory } from '../../bench/order-history.ts'
import { actingAs, CYCLE_STEPS, type CycleTable, runCycleStep } from '../../bench/table-cycle.ts'
import { removeBenchRestaurants, seedBenchRestaurants } from '../../bench/bench-restaurants.ts'
import { walByRelation, walPosition, type WalShare } from '../../bench/wal.ts'

/**
 * What one write RPC costs Postgres, by RPC (the per-write cost that bounds the service scenario's rate): the service
 * benchmark's table cycle (seat, order of 2 items, start ×2, finish ×2, serve, clear) run by ONE connection, one step
 * across every table at a time, charging each step the CPU its backend used (/proc). One writer on an otherwise idle
 * database measures the work itself, not the queueing and cache contention of a busy machine (the service benchmark's
 * per-write figure includes those, and logical decoding; this one does not).
 *
 *   npm run -s bench:write-cost -- [--restaurants 40] [--cycles 3] [--runs 5] [--label 'what differs'] [--wal]
 *
 * Each run is `--cycles` whole cycles over every table, after one warm-up cycle; the result gives every run
 * and their min / median / max, with the WAL the stack wrote per write in each (`--wal`: the last run's WAL by
 * relation too, through pg_walinspect). Runs against the stack `npm start` runs (or the one PLATER_DB_URL,
 * PLATER_JWT_SECRET and PLATER_API_URL name), on throw-away restaurants it deletes again.
 */

const PREFIX = 'writecost-'
const TABLES = 8

const { values } = parseArgs({
  options: {
    restaurants: { type: 'string', default: '40' },
    cycles: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
    // What was different about the database measured (an experiment: load/README.md, "write cost").
    label: { type: 'string', default: 'as migrated' },
    wal: { type: 'boolean', default: false },
  },
})
const credentials = stackEndpoints()
const startedAt = new Date().toISOString()
const sql = postgres(credentials.dbUrl, { max: 1, onnotice: () => {} })
await removeBenchRestaurants(sql, PREFIX)
try {
  const restaurants = await seedBenchRestaurants(
    sql,
    credentials.jwtSecret,
    PREFIX,
    Number(values.restaurants),
    20,
    TABLES,
  )
  await seedOrderHistory(sql, restaurants.map((r) => r.id))
  await sql`vacuum analyze`
  // The stack's Postgres is not this script's child: count it as its own load, not as other work.
  const postmaster = await postmasterPid(sql)
  const contention = watchContention(() => [postmaster])
  const pid = (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid
  const as = actingAs(sql)
  let menuCursor = 0
  const tables: CycleTable[] = restaurants.flatMap((r) => {
    const servers = r.staff.filter((s) => s.role === 'server')
    const cooks = new Map(r.staff.filter((s) => s.role === 'cook').map((s) => [s.station!, s.id]))
    return r.tables.map((id, k) => ({
      id,
      server: servers[k % servers.length]!.id,
      nextDishes: (): [
        string,
        string,
      ] => [r.menu[menuCursor++ % r.menu.length]!.id, r.menu[menuCursor++ % r.menu.length]!.id],
      cookAt: (station: string) => cooks.get(station)!,
    }))
  })

  /** CPU seconds and calls per RPC over `cycles` cycles. */
  const measure = async (cycles: number): Promise<Map<string, { seconds: number; calls: number }>> => {
    const spent = new Map<string, { seconds: number; calls: number }>()
    for (let cycle = 0; cycle < cycles; cycle++) {
      for (let k = 0; k < CYCLE_STEPS.length; k++) {
        const before = cpuSeconds(pid)
        for (const t of tables) await runCycleStep(as, t, k)
        const rpc = spent.get(CYCLE_STEPS[k]!) ?? { seconds: 0, calls: 0 }
        rpc.seconds += cpuSeconds(pid) - before
        rpc.calls += tables.length
        spent.set(CYCLE_STEPS[k]!, rpc)
      }
    }
    return spent
  }
  const msPer = (s: { seconds: number; calls: number }) => Number(((s.seconds * 1000) / s.calls).toFixed(3))

  await measure(1) // plans and caches warm up
  const runs = []
  let walByRelationLastRun: WalShare[] | undefined
  for (let run = 0; run < Number(values.runs); run++) {
    const walBefore = await walPosition(sql)
    const spent = await measure(Number(values.cycles))
    const walAfter = await walPosition(sql)
    const all = [...spent.values()].reduce((sum, s) => ({
      seconds: sum.seconds + s.seconds,
      calls: sum.calls + s.calls,
    }))
    runs.push({
      writes: all.calls,
      backendMsPerWrite: msPer(all),
      backendMsByRpc: Object.fromEntries([...spent].map(([name, s]) => [name, msPer(s)])),
      walBytesPerWrite: Math.round(Number(walAfter - walBefore) / all.calls),
    })
    console.log(`run ${run + 1}: ${msPer(all)} ms of backend CPU per write`)
    if (values.wal && run === Number(values.runs) - 1) {
      walByRelationLastRun = await walByRelation(sql, walBefore, walAfter, all.calls)
    }
  }
  const perWrite = runs.map((r) => r.backendMsPerWrite)
  const result = {
    label: values.label!,
    at: new Date().toISOString(),
    parameters: { restaurants: restaurants.length, tables: tables.length, cycles: Number(values.cycles) },
    backendMsPerWrite: { min: Math.min(...perWrite), median: median(perWrite), max: Math.max(...perWrite) },
    runs,
    ...(walByRelationLastRun ? { walByRelationLastRun } : {}),
  }
  console.log(JSON.stringify(result, null, 2))
  const output = writeCostOutput(result)
  const record = recordOf({
    scenario: 'write-cost',
    runId: randomUUID(),
    startedAt,
    contention: contention(),
    postgresVersion: await postgresVersion(credentials.dbUrl),
    output,
  })
  console.log(`written to ${appendRecord(record)}`)
} finally {
  await removeBenchRestaurants(sql, PREFIX)
  await sql.end()
}
