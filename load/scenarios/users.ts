import type { Worker } from 'node:worker_threads'
import postgres from 'postgres'
import { STAFF_MIX } from '../k6/scenarios.js'
import { removeBenchRestaurants, seedBenchRestaurants } from '../bench/bench-restaurants.ts'
import { CpuMeter, LOAD_GENERATOR, postgresCpuReader } from '../bench/cpu.ts'
import { describeCpu, numberOption, type Scenario } from '../bench/scenario.ts'
import { median, summarize } from '../bench/stats.ts'
import { ask } from '../bench/gateway/subscribers.ts'
import { startTsWorker } from '../bench/ts-worker.ts'
import { topicHeads } from '../bench/topic-heads.ts'
import type { UsersCommand, UsersReport, UsersWorkerConfig } from './users-worker.ts'

/**
 * Simulated staff (the original system's "stress tester" simulated 1 000 users and printed 127 ms average latency at
 * 52.8 messages/s): `--users` staff of throw-away restaurants of 20, in a real restaurant's proportions (STAFF_MIX:
 * half servers, cooks, an expo, a manager), each running the project's own client library (client/) with its own
 * token and the scopes its screen shows (cook: its station's kds; server: its orders and the floor; expo; manager:
 * admin), against the stack's gateway and functions. The restaurants' service (seat, order, start, finish, serve,
 * clear) is done through the acting staff member's client mutations at `--rate` steps/s, open loop.
 * Figures: delivery latency at the socket (envelope `ts`, the database's clock, → arrival; sampled clients), the
 * deliveries per second all clients received, mutation latency and errors, scopes that never went live, and
 * whether every client ended holding its topics' latest seq, applied in order (the client's own trace).
 */

const PREFIX = 'usersbench-'
const STAFF_PER_RESTAURANT = 20
const TABLES_PER_RESTAURANT = 12
/** The original stress tester's published figures, shown beside ours. */
const ORIGINAL = { users: 1000, averageLatencyMs: 127, messagesPerSecond: 52.8 }

export const users: Scenario = {
  name: 'users',
  summary:
    'N simulated staff, each running the project client with its scopes, working orders through its own mutations',
  options: {
    users: '1000',
    rate: '50',
    duration: '60',
    workers: '2',
    'sample-every': '10',
    'users-per-second': '50',
  },
  minutes: 3,
  async run({ stack, progress, options }) {
    const userCount = numberOption(options, 'users')
    const rate = numberOption(options, 'rate')
    const duration = numberOption(options, 'duration')
    const workerCount = numberOption(options, 'workers')
    const sql = postgres(stack.dbUrl, { max: 2, onnotice: () => {} })
    const workers: Worker[] = []
    try {
      await removeBenchRestaurants(sql, PREFIX)
      const restaurants = await seedBenchRestaurants(
        sql,
        stack.jwtSecret,
        PREFIX,
        Math.ceil(userCount / STAFF_PER_RESTAURANT),
        STAFF_PER_RESTAURANT,
        TABLES_PER_RESTAURANT,
      )
      const staffCount = restaurants.reduce((sum, r) => sum + r.staff.length, 0)
      progress.update(`${restaurants.length} restaurants, ${staffCount} staff: starting their clients`)
      for (let w = 0; w < workerCount; w++) {
        const config: UsersWorkerConfig = {
          apiUrl: stack.apiUrl,
          anonKey: stack.anonKey,
          restaurants: restaurants.filter((_, n) => n % workerCount === w),
          usersPerSecond: numberOption(options, 'users-per-second') / workerCount,
          sampleEvery: numberOption(options, 'sample-every'),
        }
        workers.push(startTsWorker(new URL('./users-worker.ts', import.meta.url), config))
      }
      const startedClients = performance.now()
      await Promise.all(
        workers.map((w) =>
          new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))
        ),
      )
      const clientsSeconds = (performance.now() - startedClients) / 1000
      progress.update(
        `${staffCount} clients live after ${clientsSeconds.toFixed(1)} s; ${rate} steps/s for ${duration} s`,
      )

      const postgresSeconds = await postgresCpuReader(sql)
      const meter = new CpuMeter({
        'API server (gateway, functions host)': stack.apiPid(),
        postgres: postgresSeconds,
      })
      meter.start()
      await ask(workers, { type: 'run', rate: rate / workerCount, seconds: duration } satisfies UsersCommand)
      const cpu = meter.stop()
      await new Promise((resolve) => setTimeout(resolve, 3000)) // the last broadcasts and catch-ups
      const reports = await ask<UsersReport, UsersCommand>(workers, { type: 'report' })

      const topics = [...new Set(reports.flatMap((r) => r.held.map((h) => h.topic)))]
      const latest = await topicHeads(sql, topics)
      const held = reports.flatMap((r) => r.held)
      const behind = held.filter((h) => h.seq < (latest.get(h.topic) ?? 0))
      const concat = (pick: (r: UsersReport) => Float64Array) => {
        const parts = reports.map(pick)
        const out = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0))
        let at = 0
        for (const part of parts) {
          out.set(part, at)
          at += part.length
        }
        return out
      }
      const latency = summarize(concat((r) => r.latencies))
      const mutationLatency = summarize(concat((r) => r.mutations.latencies))
      const errors: Record<string, number> = {}
      for (const r of reports) {
        for (const [k, n] of Object.entries(r.mutations.errors)) errors[k] = (errors[k] ?? 0) + n
      }
      const frames = reports.reduce((s, r) => s + r.framesReceived, 0)
      const deliveriesPerSecond = Math.round(frames / (cpu.seconds + 3))
      const mutationsDone = reports.reduce((s, r) => s + r.mutations.done, 0)
      return {
        parameters: {
          users: staffCount,
          restaurants: restaurants.length,
          staffMix: STAFF_MIX,
          rate,
          duration,
          workers: workerCount,
        },
        figures: {
          meanLatency: {
            label:
              `average delivery latency, envelope ts → socket (the original stress tester: ${ORIGINAL.averageLatencyMs} ms at ${ORIGINAL.messagesPerSecond} messages/s for ${ORIGINAL.users} users)`,
            value: latency.mean,
            unit: 'ms',
          },
          p50: { label: 'delivery p50', value: latency.p50, unit: 'ms' },
          p99: { label: 'delivery p99', value: latency.p99, unit: 'ms', target: { max: 50 } },
          deliveriesPerSecond: {
            label: 'frames received per second by all clients',
            value: deliveriesPerSecond,
            unit: '/s',
          },
          mutationP95: {
            label: `mutation p95 through the client (${mutationsDone} done)`,
            value: mutationLatency.p95,
            unit: 'ms',
          },
          mutationErrors: {
            label: 'mutations refused or failed',
            value: Object.values(errors).reduce((a, b) => a + b, 0),
            unit: 'mutations',
            target: { max: 0 },
          },
          scopesFailed: {
            label: 'scopes that never went live',
            value: reports.reduce((s, r) => s + r.scopesFailed, 0),
            unit: 'scopes',
            target: { max: 0 },
          },
          behind: {
            label: `scopes not at their topic's latest seq at the end (of ${held.length})`,
            value: behind.length,
            unit: 'scopes',
            target: { max: 0 },
          },
          applyErrors: {
            label: 'store applies out of order or twice (client trace)',
            value: reports.reduce((s, r) => s + r.applyErrors, 0),
            unit: 'applies',
            target: { max: 0 },
          },
          loadGenerator: {
            label: 'load generator CPU (all clients)',
            value: cpu.percentOfOneCore[LOAD_GENERATOR] ?? null,
            unit: '% of a core',
          },
        },
        bottleneck: describeCpu(cpu.percentOfOneCore, cpu.machineBusyPercent),
        cpuPercentOfOneCore: cpu.percentOfOneCore,
        data: {
          original: ORIGINAL,
          clientsStartSeconds: Math.round(clientsSeconds * 10) / 10,
          latency,
          mutationLatency,
          mutationErrors: errors,
          health: {
            reconnects: reports.reduce((s, r) => s + r.health.reconnects, 0),
            gapsHealed: reports.reduce((s, r) => s + r.health.gapsHealed, 0),
            duplicatesDropped: reports.reduce((s, r) => s + r.health.duplicatesDropped, 0),
            rollbacks: reports.reduce((s, r) => s + r.health.rollbacks, 0),
            medianOfClientsP99: reports.some((r) => r.health.latencyP99.length)
              ? median(reports.flatMap((r) => r.health.latencyP99))
              : null,
          },
          behind: behind.slice(0, 20),
        },
      }
    } finally {
      for (const w of workers) w.postMessage({ type: 'close' } satisfies UsersCommand)
      await removeBenchRestaurants(sql, PREFIX).catch(() => 0)
      await sql.end()
    }
  },
}
