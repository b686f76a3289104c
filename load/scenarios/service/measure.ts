import * as hdr from 'hdr-histogram-js'
import type { Sql } from 'postgres'
import type { Worker } from 'node:worker_threads'
import type { GatewayProcess } from '../../bench/gateway/process.ts'
import { ask } from '../../bench/gateway/subscribers.ts'
import { cpuSeconds, loadReadings, machineCpuTimes } from '../../bench/machine.ts'
import { cpuDelta, otherDecoders, postgresCpu, postmasterPid } from '../../bench/postgres-cpu.ts'
import { HISTOGRAM } from '../../bench/stats.ts'
import { topicHeads } from '../../bench/topic-heads.ts'
import type { Command, WorkerReport } from './subscribers-worker.ts'
import type { ServiceWriter } from './writer.ts'

/** The command line's parameters of a service run. */
export interface ServiceParameters {
  readonly restaurants: number
  readonly sockets: number
  readonly rate: number
  readonly seconds: number
  readonly warmupSeconds: number
  readonly workers: number
  readonly sampleEvery: number
  readonly pool: number
  readonly gateway: 'own' | 'stack'
}

/** Everything set up and joined, ready to be measured. */
export interface ServiceSetUp {
  readonly p: ServiceParameters
  readonly sql: Sql
  readonly gateway: GatewayProcess
  readonly workers: Worker[]
  readonly writer: ServiceWriter
  readonly topics: string[]
  /** Socket k reads topic socketTopic[k]; worker w holds sockets workerSockets[w]. */
  readonly socketTopic: number[]
  readonly workerSockets: number[][]
  readonly joins: { readonly seconds: number; readonly errors: number }
}

export type ServiceResult = Awaited<ReturnType<typeof measureService>>

/**
 * The measured window after the warm-up: the writer at its rate for `seconds`, then up to 15 s for the last
 * deliveries; CPU of the gateway, the harness, this cluster's Postgres (by kind of process) and the machine;
 * latency from the sampled sockets; loss per socket by seq against each topic's published seqs since `baseline`.
 */
export async function measureService(setUp: ServiceSetUp, baseline: Map<string, number>) {
  const { p, sql, gateway, workers, writer, topics, socketTopic, workerSockets, joins } = setUp
  await ask<unknown, Command>(workers, { type: 'reset' })
  writer.mutationLatency.reset()
  const contentionBefore = loadReadings()
  const machineBefore = machineCpuTimes()
  const harnessCpuBefore = cpuSeconds(process.pid)
  const gatewayCpuBefore = cpuSeconds(gateway.pid)
  const postmaster = await postmasterPid(sql)
  const ignoredDecoders = await otherDecoders(sql, gateway.slot)
  const postgresCpuBefore = postgresCpu(postmaster, ignoredDecoders)
  const receivedBefore = (await ask<{ received: number }, Command>(workers, { type: 'count' })).reduce(
    (s, r) => s + r.received,
    0,
  )
  const wallBefore = performance.now()
  const written = await writer.drive(p.rate * p.seconds)
  const writeSeconds = (performance.now() - wallBefore) / 1000

  const final = await topicHeads(sql, topics)
  const expectedPerTopic = topics.map((topic) => (final.get(topic) ?? 0) - (baseline.get(topic) ?? 0))
  const expected = socketTopic.reduce((sum, topic) => sum + expectedPerTopic[topic]!, 0)
  let received = 0
  for (let waited = 0; waited < 15_000; waited += 250) {
    received = (await ask<{ received: number }, Command>(workers, { type: 'count' })).reduce(
      (s, r) => s + r.received,
      0,
    )
    if (received >= expected) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const wall = (performance.now() - wallBefore) / 1000
  const gatewayCpu = cpuSeconds(gateway.pid) - gatewayCpuBefore
  const harnessCpu = cpuSeconds(process.pid) - harnessCpuBefore
  const postgresSpent = cpuDelta(postgresCpu(postmaster, ignoredDecoders), postgresCpuBefore)
  const machineAfter = machineCpuTimes()
  const contentionAfter = loadReadings()
  const metrics = await gateway.metrics()

  const reports = await ask<WorkerReport, Command>(workers, { type: 'report' })
  const merged = hdr.build(HISTOGRAM)
  for (const report of reports) merged.add(hdr.decodeFromCompressedBase64(report.latency))
  const ms = (percentile: number) => Math.round(merged.getValueAtPercentile(percentile)) / 1000
  const mutationMs = (percentile: number) =>
    Math.round(writer.mutationLatency.getValueAtPercentile(percentile)) / 1000

  // Loss per socket: distinct seqs the topic published since the baseline that the socket never got.
  let lost = 0
  let gapsTotal = 0
  let duplicatesTotal = 0
  let socketsWithLoss = 0
  const topicsWithLoss = new Set<number>()
  reports.forEach((report, w) => {
    workerSockets[w]!.forEach((k, i) => {
      const distinct = report.perSocketReceived[i]! - report.perSocketDuplicates[i]!
      const missing = Math.max(0, expectedPerTopic[socketTopic[k]!]! - distinct)
      gapsTotal += report.perSocketGaps[i]!
      duplicatesTotal += report.perSocketDuplicates[i]!
      if (missing > 0) {
        lost += missing
        socketsWithLoss++
        topicsWithLoss.add(socketTopic[k]!)
      }
    })
  })
  const publishedMessages = expectedPerTopic.reduce((s, v) => s + v, 0)

  return {
    scenario: 'realistic service: private topics over many restaurants, write RPCs, DB → client callback',
    date: new Date().toISOString(),
    contention: { before: contentionBefore, after: contentionAfter },
    parameters: {
      restaurants: p.restaurants,
      sockets: p.sockets,
      topics: topics.length,
      socketsPerTopic: p.sockets / topics.length,
      mutationsPerSecond: p.rate,
      seconds: p.seconds,
      warmupSeconds: p.warmupSeconds,
      workers: p.workers,
      sampleEvery: p.sampleEvery,
      writerPool: p.pool,
      gateway: p.gateway,
      vsn: '2.0.0',
    },
    joins: { seconds: Math.round(joins.seconds * 10) / 10, errors: joins.errors },
    mutations: {
      ...written,
      perSecond: Math.round(written.sent / writeSeconds),
      latencyMs: { p50: mutationMs(50), p95: mutationMs(95), p99: mutationMs(99), max: mutationMs(100) },
      failures: writer.failures,
    },
    published: { messages: publishedMessages, perSecond: Math.round(publishedMessages / writeSeconds) },
    deliveries: {
      /** Measured window (after warm-up), including the drain after the last write. */
      received: received - receivedBefore,
      perSecond: Math.round((received - receivedBefore) / writeSeconds),
      /** Since the first write (warm-up included): what the loss count compares. */
      expectedSinceFirstWrite: expected,
      receivedSinceFirstWrite: received,
      lost,
      gaps: gapsTotal,
      duplicates: duplicatesTotal,
      socketsWithLoss,
      topicsWithLoss: topicsWithLoss.size,
    },
    latencyMs: {
      /** Envelope `ts` (clock_timestamp() in the writing transaction) → decoded callback, sampled sockets. */
      tsToCallback: {
        samples: merged.totalCount,
        p50: ms(50),
        p95: ms(95),
        p99: ms(99),
        p999: ms(99.9),
        max: ms(100),
        mean: Math.round(merged.mean) / 1000,
      },
    },
    cpuPercentOfOneCore: {
      gateway: Math.round((gatewayCpu / wall) * 100),
      /** Writer, subscribers and decoding share this process (main thread + workers). */
      harness: Math.round((harnessCpu / wall) * 100),
      /** This cluster's processes (pool backends, walsenders, autovacuum, checkpointer, …). */
      postgres: Math.round((postgresSpent.total / wall) * 100),
      postgresMsPerMutation: Math.round((postgresSpent.total / written.sent) * 1e5) / 100,
      /** The same, by kind of process. */
      postgresMsPerMutationBy: Object.fromEntries(
        Object.entries(postgresSpent).map(([k, v]) => [k, Math.round((v / written.sent) * 1e5) / 100]),
      ),
      /** Every process on the machine (Postgres, gateway, harness, anything else), all cores. */
      machineBusyPercentOfAllCores: Math.round(
        ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
      ),
    },
    gateway: {
      rssBytes: metrics.process.rssBytes,
      drops: metrics.drops,
      ingestLagMs: metrics.ingest.lagMs,
      socketsOpen: reports.reduce((sum, r) => sum + r.open, 0),
      socketErrors: reports.reduce((sum, r) => sum + r.errors, 0),
    },
  }
}
