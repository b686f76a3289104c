import type { Worker } from 'node:worker_threads'
import { startTsWorker } from '../ts-worker.ts'

/**
 * Subscriber worker threads (./subscribers-worker.ts): each holds many sockets on one topic, counts what every
 * socket receives by seq and samples latency; the main thread steers them with commands and merges their reports.
 */
export interface SubscriberConfig {
  readonly url: string
  readonly apikey: string
  readonly topic: string
  readonly count: number
  /** Every n-th socket decodes with realtime-js and measures latency; 0 = none. */
  readonly sampleEvery: number
  readonly join: boolean
  /** Join at this steady rate (this worker's share) once every socket is connected; else right after connecting. */
  readonly joinsPerSecond?: number
}

/** A subscriber worker's first message: its sockets are open (and joined), and how that went. */
export interface SubscribersReady {
  readonly ready: true
  readonly connectSeconds: number
  readonly joinSeconds: number
  /** Join replies by status ('ok', 'error'). */
  readonly joinStatuses: Record<string, number>
}

export type WorkerCommand =
  | { readonly type: 'count' }
  /** Starts a new measured step (seqs 1…maxSeq): counters, per-socket seq tracking and samples back to zero. */
  | { readonly type: 'reset'; readonly maxSeq: number }
  | { readonly type: 'report' }
  | { readonly type: 'close' }

export interface SubscriberReport {
  readonly received: number
  /** Epoch ms of the latest delivery counted since the last reset (0: none). */
  readonly lastArrival: number
  readonly errors: number
  readonly open: number
  /** Per socket: deliveries of the measured event, seqs seen again, arrivals below a seq already seen. */
  readonly perSocketReceived: Int32Array
  readonly perSocketDuplicates: Int32Array
  readonly perSocketOutOfOrder: Int32Array
  /**
   * Sampled deliveries as triples (ms): arrival − `t` (the source's own clock stamp: clock_timestamp() in the
   * database's transaction, or the bare server's send time), arrival − `due` (the generator's scheduled time), and
   * `due` itself (epoch ms), not clamped: a negative value means clock skew or an early send.
   */
  readonly samples: Float64Array
}

/** Asks every worker the same question and collects the answers. */
export function ask<T, C = WorkerCommand>(workers: Worker[], command: C): Promise<T[]> {
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<T>((resolve) => {
          worker.once('message', resolve)
          worker.postMessage(command)
        }),
    ),
  )
}

/** A worker thread holding `config.count` subscriber sockets. */
export function startSubscriberWorker(config: SubscriberConfig): Worker {
  return startTsWorker(new URL('./subscribers-worker.ts', import.meta.url), config)
}
