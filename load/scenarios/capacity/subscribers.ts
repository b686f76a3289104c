import * as hdr from 'hdr-histogram-js'
import { ask } from '../../bench/gateway/subscribers.ts'
import { HISTOGRAM } from '../../bench/stats.ts'
import { startTsWorker } from '../../bench/ts-worker.ts'
import type { System } from './options.ts'

/** One screen's socket: the topic it joins, with the token of a staff member allowed to read it, and its role. */
export interface SocketSpec {
  readonly topic: string
  readonly token: string
  readonly role: string
}

export interface SubscriberWorkerConfig {
  readonly system: System
  readonly url: string
  readonly apikey: string
  readonly sockets: SocketSpec[]
  /** Every n-th socket decodes its frames and measures latency. */
  readonly sampleEvery: number
  /** This worker's share of the join rate; 0: batches as fast as they go. */
  readonly joinsPerSecond: number
}

export type SubscriberCommand = { type: 'count' } | { type: 'reset' } | { type: 'report' } | { type: 'close' }

/** Cumulative per-socket counters since the join (arrays in the worker's socket order); latency since the reset. */
export interface SubscriberWorkerReport {
  readonly open: number
  readonly errors: number
  readonly joinErrors: number
  readonly received: number[]
  readonly duplicates: number[]
  readonly gaps: number[]
  readonly bytes: number[]
  readonly latency: string
  /** The thread's event-loop delay since the reset. */
  readonly loopDelayMs: { p99: number; max: number }
}

/** Every socket's counters, in the order of the specs given to `joinSubscribers`. */
export interface Counters {
  readonly received: number[]
  readonly duplicates: number[]
  readonly gaps: number[]
  readonly bytes: number[]
}

export interface Subscribers {
  readonly joinSeconds: number
  readonly joinErrors: number
  /** Deliveries so far, every socket. */
  count(): Promise<number>
  /** Starts a latency window. */
  resetLatency(): Promise<void>
  /** Counters, the latency since the reset, and the sockets still open. */
  report(): Promise<
    {
      counters: Counters
      latency: hdr.Histogram
      open: number
      errors: number
      loopDelayMs: { p99: number; max: number }
    }
  >
  close(): void
}

/** Opens and joins `specs` over `workerCount` threads (socket k in worker k mod W) and waits until all joined. */
export async function joinSubscribers(
  base: Omit<SubscriberWorkerConfig, 'sockets' | 'joinsPerSecond'>,
  specs: SocketSpec[],
  workerCount: number,
  joinsPerSecond: number,
): Promise<Subscribers> {
  const owned = Array.from(
    { length: workerCount },
    (_, w) => specs.map((_, k) => k).filter((k) => k % workerCount === w),
  )
  const entry = new URL('./subscriber-worker.ts', import.meta.url)
  const started = performance.now()
  const workers = owned.map((ks) =>
    startTsWorker(
      entry,
      {
        ...base,
        sockets: ks.map((k) => specs[k]!),
        joinsPerSecond: joinsPerSecond / workerCount,
      } satisfies SubscriberWorkerConfig,
    )
  )
  const ready = await Promise.all(
    workers.map((w) =>
      new Promise<{ joinErrors: number }>((resolve, reject) => {
        w.once('message', resolve)
        w.once('error', reject)
      })
    ),
  )
  const merge = (reports: SubscriberWorkerReport[], field: keyof Counters): number[] => {
    const all = new Array<number>(specs.length).fill(0)
    reports.forEach((report, w) => owned[w]!.forEach((k, i) => (all[k] = report[field][i]!)))
    return all
  }
  return {
    joinSeconds: Math.round((performance.now() - started) / 100) / 10,
    joinErrors: ready.reduce((sum, r) => sum + r.joinErrors, 0),
    count: async () =>
      (await ask<number, SubscriberCommand>(workers, { type: 'count' })).reduce((a, b) => a + b, 0),
    resetLatency: async () => void (await ask<boolean, SubscriberCommand>(workers, { type: 'reset' })),
    async report() {
      const reports = await ask<SubscriberWorkerReport, SubscriberCommand>(workers, { type: 'report' })
      const latency = hdr.build(HISTOGRAM)
      for (const report of reports) latency.add(hdr.decodeFromCompressedBase64(report.latency))
      return {
        counters: {
          received: merge(reports, 'received'),
          duplicates: merge(reports, 'duplicates'),
          gaps: merge(reports, 'gaps'),
          bytes: merge(reports, 'bytes'),
        },
        latency,
        open: reports.reduce((sum, r) => sum + r.open, 0),
        errors: reports.reduce((sum, r) => sum + r.errors, 0),
        // The worst thread's, rounded to 0.01 ms.
        loopDelayMs: {
          p99: Math.round(Math.max(...reports.map((r) => r.loopDelayMs.p99)) * 100) / 100,
          max: Math.round(Math.max(...reports.map((r) => r.loopDelayMs.max)) * 100) / 100,
        },
      }
    },
    close() {
      for (const w of workers) w.postMessage({ type: 'close' } satisfies SubscriberCommand)
    },
  }
}
