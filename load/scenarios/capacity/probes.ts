import type { Sql } from 'postgres'
import type { GatewayProcess } from '../../bench/gateway/process.ts'
import { cpuSeconds, machineCpuTimes } from '../../bench/machine.ts'
import { cpuDelta, type PostgresCpu, postgresCpu } from '../../bench/postgres-cpu.ts'
import { type LoopWindow, readLoopProbe } from './loop-probe-reader.ts'
import { walSoFar } from '../../bench/wal.ts'

/**
 * What a step's window held besides latency, to find what makes the tail: CPU per process and of the
 * machine, what active backends waited on (pg_stat_activity sampled every 100 ms: wait events, lock waits by
 * kind), checkpoints and autovacuum/autoanalyze passes that ran, the gateway's ingest lag (sampled every second)
 * and its event-loop delay and GC pauses (loop-probe.mjs in the gateway process, when it runs there).
 */

export interface WindowReadings {
  readonly cpuPercentOfOneCore: { postgres: number; gateway: number; generator: number }
  readonly postgresMsPerWrite: number | null
  /** The same by kind of process: a write's own backend against decoding, vacuum and checkpoints beside it. */
  readonly postgresMsPerWriteBy: Record<keyof PostgresCpu, number | null>
  readonly machineBusyPercent: number
  /** Share of samples in which an active client backend waited on each `type:event` (CPU = not waiting). */
  readonly waitEvents: Record<string, number>
  /** Lock waits seen (backend-samples) by lock kind: advisory, tuple, transactionid, relation, … */
  readonly lockWaits: Record<string, number>
  readonly activeBackendsMean: number
  readonly activeBackendsMax: number
  readonly autovacuumWorkerSamples: number
  readonly checkpoints: number
  /**
   * WAL the window wrote per write, full-page images (a page's first change after a checkpoint) per write, and
   * WAL flushes per write (below 1 when commits share a flush).
   */
  readonly wal: {
    bytesPerWrite: number | null
    fullPageImagesPerWrite: number | null
    syncsPerWrite: number | null
  }
  readonly autovacuumPasses: number
  readonly autoanalyzePasses: number
  readonly ingestLagMs: { p50: number | null; max: number | null }
  readonly gatewayLoop: LoopWindow | null
}

async function checkpointsSoFar(sql: Sql): Promise<number> {
  try {
    return Number((await sql`select num_timed + num_requested as n from pg_stat_checkpointer`)[0]!.n)
  } catch {
    return Number((await sql`select checkpoints_timed + checkpoints_req as n from pg_stat_bgwriter`)[0]!.n)
  }
}

async function maintenanceSoFar(sql: Sql): Promise<{ vacuum: number; analyze: number }> {
  const [row] = await sql<{ vacuum: string; analyze: string }[]>`
    select coalesce(sum(autovacuum_count), 0) as vacuum, coalesce(sum(autoanalyze_count), 0) as analyze from pg_stat_all_tables`
  return { vacuum: Number(row!.vacuum), analyze: Number(row!.analyze) }
}

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** Starts measuring a window; the returned function ends it and gives the readings. */
export async function openWindow(
  sql: Sql,
  gateway: GatewayProcess,
  postmaster: number,
  ignoredDecoders: ReadonlySet<number>,
  loopProbeFile: string | undefined,
): Promise<(writes: number) => Promise<WindowReadings>> {
  const startedAt = Date.now()
  const wall = performance.now()
  const machine = machineCpuTimes()
  const gatewayCpu = cpuSeconds(gateway.pid)
  const generatorCpu = cpuSeconds(process.pid)
  const pgCpu: PostgresCpu = postgresCpu(postmaster, ignoredDecoders)
  const checkpoints = await checkpointsSoFar(sql)
  const maintenance = await maintenanceSoFar(sql)
  const wal = await walSoFar(sql)
  const waits: Record<string, number> = {}
  const locks: Record<string, number> = {}
  const active: number[] = []
  let autovacuumSamples = 0
  const lags: number[] = []
  let stopped = false
  const sampleActivity = async () => {
    while (!stopped) {
      const rows = await sql<
        { backend_type: string; wait_event_type: string | null; wait_event: string | null }[]
      >`
        select backend_type, wait_event_type, wait_event from pg_stat_activity
         where pid <> pg_backend_pid() and state = 'active' and backend_type in ('client backend', 'autovacuum worker')`
      const clients = rows.filter((r) => r.backend_type === 'client backend')
      active.push(clients.length)
      autovacuumSamples += rows.length - clients.length
      for (const r of clients) {
        const key = r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : 'CPU (not waiting)'
        waits[key] = (waits[key] ?? 0) + 1
        if (r.wait_event_type === 'Lock') locks[r.wait_event!] = (locks[r.wait_event!] ?? 0) + 1
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const sampleLag = async () => {
    while (!stopped) {
      const lag = (await gateway.metrics()).ingest.lagMs
      if (typeof lag === 'number') lags.push(lag)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
  const samplers = Promise.all([sampleActivity(), sampleLag()])

  return async (writes) => {
    stopped = true
    await samplers
    const seconds = (performance.now() - wall) / 1000
    const machineAfter = machineCpuTimes()
    const pg = cpuDelta(postgresCpu(postmaster, ignoredDecoders), pgCpu)
    const maintenanceAfter = await maintenanceSoFar(sql)
    const walAfter = await walSoFar(sql)
    const perWrite = (value: number, digits: number) => (writes > 0 ? round(value / writes, digits) : null)
    const samples = Math.max(1, active.length)
    return {
      cpuPercentOfOneCore: {
        postgres: round((pg.total / seconds) * 100),
        gateway: round(((cpuSeconds(gateway.pid) - gatewayCpu) / seconds) * 100),
        generator: round(((cpuSeconds(process.pid) - generatorCpu) / seconds) * 100),
      },
      postgresMsPerWrite: perWrite(pg.total * 1000, 2),
      postgresMsPerWriteBy: Object.fromEntries(
        (Object.keys(pgCpu) as (keyof PostgresCpu)[]).map((kind) => [kind, perWrite(pg[kind] * 1000, 2)]),
      ) as WindowReadings['postgresMsPerWriteBy'],
      machineBusyPercent: round(
        ((machineAfter.busy - machine.busy) / Math.max(1, machineAfter.total - machine.total)) * 100,
      ),
      waitEvents: Object.fromEntries(
        Object.entries(waits).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / samples, 2)]),
      ),
      lockWaits: locks,
      activeBackendsMean: round(active.reduce((a, b) => a + b, 0) / samples, 1),
      activeBackendsMax: Math.max(0, ...active),
      autovacuumWorkerSamples: autovacuumSamples,
      checkpoints: (await checkpointsSoFar(sql)) - checkpoints,
      wal: {
        bytesPerWrite: perWrite(walAfter.bytes - wal.bytes, 0),
        fullPageImagesPerWrite: perWrite(walAfter.fullPageImages - wal.fullPageImages, 2),
        syncsPerWrite: perWrite(walAfter.syncs - wal.syncs, 2),
      },
      autovacuumPasses: maintenanceAfter.vacuum - maintenance.vacuum,
      autoanalyzePasses: maintenanceAfter.analyze - maintenance.analyze,
      ingestLagMs: { p50: percentile(lags, 50), max: lags.length ? Math.max(...lags) : null },
      gatewayLoop: loopProbeFile ? readLoopProbe(loopProbeFile, startedAt, Date.now()) : null,
    }
  }
}
