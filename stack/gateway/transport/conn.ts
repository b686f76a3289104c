import type { Duplex } from 'node:stream'
import { WebSocket } from 'ws'
import type { Clock } from '../../../shared/clock.ts'
import type { GatewayMetrics } from '../metrics.ts'
import type { EncodedFrame } from '../protocol/frames.ts'
import { wireBytes } from './ws-frame.ts'

/**
 * The gateway's only view of a WebSocket (the `ws` library stays behind this file and ws-frame.ts).
 *
 * Writes are batched per socket: `send` queues the frame and the shared `Flusher` writes every dirty
 * socket once per flush, corked, so N queued messages cost one writev per subscriber instead of N. At low
 * rates a flush holds one frame; under load the batch grows on its own. Frames are written pre-framed
 * (ws-frame.ts): the bytes a fan-out encoded once go to every subscriber's socket unchanged.
 *
 * Writing to the socket beside `ws` is safe because the gateway never enables permessage-deflate: with
 * it off, `ws` writes each frame synchronously and whole, so frames cannot interleave, and its
 * `bufferedAmount` (the socket's write buffer) still counts what we wrote.
 *
 * A subscriber is dropped for being slow over time, never for one message: once more than `slowConsumerBytes`
 * are unsent, it has `slowConsumerMs` to drain its buffer (the socket's 'drain': everything handed to the
 * kernel); if it is still that far behind then, it is dropped. Only the hard bound, `maxBufferedBytes`, drops
 * at once, and options.ts keeps it above the threshold plus the largest frame.
 */
export class Conn {
  readonly #ws: WebSocket
  readonly #socket: Duplex
  readonly #flusher: Flusher
  #outbox: EncodedFrame[] | null = null
  #queuedBytes = 0
  #dead = false
  /** Cancels the slow-consumer check while the socket is behind; null while it keeps up. */
  #cancelBehind: (() => void) | null = null

  constructor(ws: WebSocket, socket: Duplex, flusher: Flusher) {
    this.#ws = ws
    this.#socket = socket
    this.#flusher = flusher
  }

  /**
   * Queues a frame. Returns false, and drops the socket, when the frame would take it past the hard bound: it
   * will reconnect and catch up by `seq`, and nobody else waits for it.
   */
  send(frame: EncodedFrame): boolean {
    if (this.#dead) return false
    const unsent = this.#unsent() + frame.data.length
    if (unsent > this.#flusher.backlog.maxBufferedBytes) {
      this.#dropSlow()
      return false
    }
    if (unsent > this.#flusher.backlog.slowConsumerBytes && this.#cancelBehind === null) this.#fallBehind()
    if (this.#outbox === null) {
      this.#outbox = [frame]
      this.#flusher.schedule(this)
    } else {
      this.#outbox.push(frame)
    }
    this.#queuedBytes += frame.data.length
    return true
  }

  /** Called by the Flusher: one corked write of everything queued since the last turn. */
  flush(): void {
    const frames = this.#outbox
    this.#outbox = null
    this.#queuedBytes = 0
    if (frames === null || this.#dead || this.#ws.readyState !== WebSocket.OPEN) return
    const metrics = this.#flusher.metrics
    this.#socket.cork()
    for (const frame of frames) {
      this.#socket.write(wireBytes(frame))
      metrics.messagesOut++
      metrics.bytesOut += frame.data.length
    }
    this.#socket.uncork()
  }

  /** Graceful close: queued frames go first (a `phx_close` must reach the client before the close). */
  close(code: number, reason: string): void {
    if (this.#dead) return
    this.flush()
    this.#dead = true
    this.#cancelBehind?.()
    this.#ws.close(code, reason)
  }

  terminate(): void {
    this.#dead = true
    this.#outbox = null
    this.#cancelBehind?.()
    this.#ws.terminate()
  }

  #unsent(): number {
    return this.#ws.bufferedAmount + this.#queuedBytes
  }

  /** Over the threshold: the window starts now, and ends early if the socket drains. */
  #fallBehind(): void {
    const { clock, backlog, metrics } = this.#flusher
    metrics.backloggedSockets++
    const caughtUp = () => this.#cancelBehind?.()
    this.#socket.once('drain', caughtUp)
    const timer = clock.setTimeout(() => {
      if (!this.#dead && this.#unsent() > backlog.slowConsumerBytes) this.#dropSlow()
      else caughtUp()
    }, backlog.slowConsumerMs)
    this.#cancelBehind = () => {
      this.#cancelBehind = null
      metrics.backloggedSockets--
      clock.clearTimeout(timer)
      this.#socket.off('drain', caughtUp)
    }
  }

  #dropSlow(): void {
    this.#flusher.metrics.drops.slowConsumers++
    this.terminate()
  }
}

/** When a subscriber counts as slow (options.ts). */
export interface BacklogLimits {
  readonly slowConsumerBytes: number
  readonly slowConsumerMs: number
  readonly maxBufferedBytes: number
}

const MAX_PACING_MS = 10

/**
 * Writes every socket that has queued frames, pacing itself by its own cost: after a flush that took D ms,
 * the next one waits until min(D, 10) ms have passed (and at least `minIntervalMs`). An idle gateway flushes
 * on the next event-loop turn (D is microseconds); a loaded one spends about half its time writing, and
 * messages that arrive meanwhile share the next write to each socket. The write syscalls are the fan-out's cost
 * (docs/decisions.md, 2026-11-27), so fewer, fuller writes are what keeps latency down. The cap
 * bounds the delay pacing can add when a flush was slow only because the process was descheduled.
 */
export class Flusher {
  readonly backlog: BacklogLimits
  readonly metrics: GatewayMetrics
  /** The slow-consumer windows run on it. */
  readonly clock: Clock
  readonly #minIntervalMs: number
  #dirty: Conn[] = []
  #scheduled = false
  #earliestNext = 0

  constructor(backlog: BacklogLimits, minIntervalMs: number, metrics: GatewayMetrics, clock: Clock) {
    this.backlog = backlog
    this.#minIntervalMs = minIntervalMs
    this.metrics = metrics
    this.clock = clock
  }

  schedule(conn: Conn): void {
    this.#dirty.push(conn)
    if (this.#scheduled) return
    this.#scheduled = true
    const wait = this.#earliestNext - performance.now()
    if (wait >= 1) setTimeout(this.#flushAll, wait)
    else setImmediate(this.#flushAll)
  }

  readonly #flushAll = (): void => {
    const started = performance.now()
    const dirty = this.#dirty
    this.#dirty = []
    this.#scheduled = false
    for (const conn of dirty) conn.flush()
    const ended = performance.now()
    this.#earliestNext = ended + Math.max(Math.min(ended - started, MAX_PACING_MS), this.#minIntervalMs)
  }
}
