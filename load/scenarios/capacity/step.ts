import { setTimeout as sleep } from 'node:timers/promises'
import type { Sql } from 'postgres'
import type { GatewayProcess } from '../../bench/gateway/process.ts'
import { topicHeads } from '../../bench/topic-heads.ts'
import { failures, type System } from './options.ts'
import { openWindow, type WindowReadings } from './probes.ts'
import type { Counters, SocketSpec, Subscribers } from './subscribers.ts'
import type { TableWriter, WriterOutcome } from './writer.ts'

/** Everything one system's steps share: its joined sockets, the writer, the databases' and gateway's handles. */
export interface StepRig {
  readonly system: System
  readonly specs: SocketSpec[]
  readonly subscribers: Subscribers
  readonly writer: TableWriter
  readonly restaurants: number
  /** A small pool of its own for probes and counts, so they never wait behind the writers. */
  readonly probeSql: Sql
  readonly gateway: GatewayProcess
  readonly postmaster: number
  readonly ignoredDecoders: ReadonlySet<number>
  readonly loopProbeFile: string | undefined
}

export interface StepResult {
  readonly system: System
  readonly sweep: number
  readonly rate: number
  readonly achievedPerSecond: number
  readonly writes: Omit<WriterOutcome, 'behindMs'> & { behindMs: number }
  /** Database clock → callback, sampled sockets, the measured window and its drain (ms). */
  readonly latencyMs: {
    samples: number
    p50: number | null
    p95: number | null
    p99: number | null
    max: number | null
  }
  readonly published: number
  readonly delivered: number
  readonly lost: number
  /** Ours: seqs seen again. The peer: deliveries beyond what its topic carried (it cannot tell which). */
  readonly duplicated: number
  readonly gaps: number
  readonly socketsOpen: number
  /** The subscriber threads' own event-loop delay in the window and drain (the worst thread's). */
  readonly subscriberLoopDelayMs: { p99: number; max: number }
  /** Bytes a screen of each role received per write of its restaurant. */
  readonly bytesPerScreenPerWrite: Record<string, number>
  readonly readings: WindowReadings
  readonly passed: boolean
  readonly failures: string[]
}

/** Messages each topic has carried so far: ours from its head seq, the peer's from realtime.messages. */
async function carried(rig: StepRig): Promise<Map<string, number>> {
  const topics = [...new Set(rig.specs.map((s) => s.topic))]
  if (rig.system === 'ours') return topicHeads(rig.probeSql, topics)
  const rows = await rig.probeSql<{ topic: string; n: string }[]>`
    select topic, count(*) as n from realtime.messages where topic = any(${topics}::text[]) group by topic`
  return new Map(rows.map((r) => [r.topic, Number(r.n)]))
}

const ms = (value: number) => Math.round(value) / 1000

/**
 * One rate: a warm-up, then the measured window, then up to 15 s for every message the window published to
 * arrive. Loss and bytes count from before the warm-up to the end of the drain, per socket against its topic.
 */
export async function runStep(
  rig: StepRig,
  sweep: number,
  rate: number,
  stepSeconds: number,
  warmupSeconds: number,
): Promise<StepResult> {
  const before = await rig.subscribers.report()
  const carriedBefore = await carried(rig)
  const warm = warmupSeconds > 0 ? await rig.writer.drive(rate, warmupSeconds) : undefined
  await sleep(500)
  await rig.subscribers.resetLatency()
  const closeWindow = await openWindow(
    rig.probeSql,
    rig.gateway,
    rig.postmaster,
    rig.ignoredDecoders,
    rig.loopProbeFile,
  )
  const started = performance.now()
  const written = await rig.writer.drive(rate, stepSeconds)
  const writeSeconds = (performance.now() - started) / 1000
  const readings = await closeWindow(written.sent)

  const carriedAfter = await carried(rig)
  const expectedPerTopic = (topic: string) => (carriedAfter.get(topic) ?? 0) - (carriedBefore.get(topic) ?? 0)
  const expected = rig.specs.reduce((sum, s) => sum + expectedPerTopic(s.topic), 0)
  const deliveredBefore = before.counters.received.reduce((a, b) => a + b, 0)
  for (
    let waited = 0;
    waited < 15_000 && (await rig.subscribers.count()) - deliveredBefore < expected;
    waited += 250
  ) await sleep(250)
  const after = await rig.subscribers.report()

  const delta = (field: keyof Counters, k: number) => after.counters[field][k]! - before.counters[field][k]!
  let lost = 0
  let duplicated = 0
  let gaps = 0
  const bytesByRole: Record<string, { bytes: number; screens: number }> = {}
  rig.specs.forEach((spec, k) => {
    const distinct = delta('received', k) - delta('duplicates', k)
    lost += Math.max(0, expectedPerTopic(spec.topic) - distinct)
    duplicated += rig.system === 'ours'
      ? delta('duplicates', k)
      : Math.max(0, distinct - expectedPerTopic(spec.topic))
    gaps += delta('gaps', k)
    const role = (bytesByRole[spec.role] ??= { bytes: 0, screens: 0 })
    role.bytes += delta('bytes', k)
    role.screens++
  })
  const writesPerRestaurant = (written.sent + (warm?.sent ?? 0)) / rig.restaurants
  const latency = after.latency
  const percentile = (p: number) => (latency.totalCount > 0 ? ms(latency.getValueAtPercentile(p)) : null)
  const measured = {
    p50: percentile(50),
    p95: percentile(95),
    p99: percentile(99),
    lost,
    duplicated,
  }
  const failed = failures(measured, written)
  return {
    system: rig.system,
    sweep,
    rate,
    achievedPerSecond: Math.round(written.sent / writeSeconds),
    writes: written,
    latencyMs: {
      samples: latency.totalCount,
      p50: measured.p50,
      p95: measured.p95,
      p99: measured.p99,
      max: percentile(100),
    },
    published: rig.specs.length > 0
      ? [...new Set(rig.specs.map((s) => s.topic))].reduce((sum, t) => sum + expectedPerTopic(t), 0)
      : 0,
    delivered: after.counters.received.reduce((a, b) => a + b, 0) - deliveredBefore,
    lost,
    duplicated,
    gaps,
    socketsOpen: after.open,
    subscriberLoopDelayMs: after.loopDelayMs,
    bytesPerScreenPerWrite: Object.fromEntries(
      Object.entries(bytesByRole).map((
        [role, b],
      ) => [role, writesPerRestaurant > 0 ? Math.round(b.bytes / b.screens / writesPerRestaurant) : 0]),
    ),
    readings,
    passed: failed.length === 0,
    failures: failed,
  }
}
