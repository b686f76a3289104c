import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { GatewayMetrics } from '../metrics.ts';
import type { EncodedFrame } from '../protocol/frames.ts';

/**
 * The gateway's only view of a WebSocket (the `ws` library stays behind this file).
 *
 * Writes are batched per socket: `send` queues the frame and the shared `Flusher` writes every dirty
 * socket once per event-loop turn, corked, so a burst of N messages costs one writev per subscriber
 * instead of N. At low rates a turn holds one frame and nothing waits; under load the batch grows on
 * its own. The frame buffers are the shared ones fan-out encoded once; they are never copied here.
 */
export class Conn {
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  readonly #flusher: Flusher;
  #outbox: EncodedFrame[] | null = null;
  #queuedBytes = 0;
  #dead = false;

  constructor(ws: WebSocket, socket: Duplex, flusher: Flusher) {
    this.#ws = ws;
    this.#socket = socket;
    this.#flusher = flusher;
  }

  /**
   * Queues a frame. Returns false, and drops the socket, when the client has fallen more than
   * `maxBufferedBytes` behind: it will reconnect and catch up by `seq`, and nobody else waits for it.
   */
  send(frame: EncodedFrame): boolean {
    if (this.#dead) return false;
    if (this.#ws.bufferedAmount + this.#queuedBytes + frame.data.length > this.#flusher.maxBufferedBytes) {
      this.#flusher.metrics.drops.slowConsumers++;
      this.terminate();
      return false;
    }
    if (this.#outbox === null) {
      this.#outbox = [frame];
      this.#flusher.schedule(this);
    } else {
      this.#outbox.push(frame);
    }
    this.#queuedBytes += frame.data.length;
    return true;
  }

  /** Called by the Flusher: one corked write of everything queued since the last turn. */
  flush(): void {
    const frames = this.#outbox;
    this.#outbox = null;
    this.#queuedBytes = 0;
    if (frames === null || this.#dead) return;
    const metrics = this.#flusher.metrics;
    this.#socket.cork();
    for (const frame of frames) {
      this.#ws.send(frame.data, { binary: frame.binary });
      metrics.messagesOut++;
      metrics.bytesOut += frame.data.length;
    }
    this.#socket.uncork();
  }

  /** Graceful close: queued frames go first (a `phx_close` must reach the client before the close). */
  close(code: number, reason: string): void {
    if (this.#dead) return;
    this.flush();
    this.#dead = true;
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#dead = true;
    this.#outbox = null;
    this.#ws.terminate();
  }
}

/** Writes every socket that has queued frames, once per event-loop turn (after I/O callbacks). */
export class Flusher {
  readonly maxBufferedBytes: number;
  readonly metrics: GatewayMetrics;
  #dirty: Conn[] = [];
  #scheduled = false;

  constructor(maxBufferedBytes: number, metrics: GatewayMetrics) {
    this.maxBufferedBytes = maxBufferedBytes;
    this.metrics = metrics;
  }

  schedule(conn: Conn): void {
    this.#dirty.push(conn);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushAll);
    }
  }

  readonly #flushAll = (): void => {
    const dirty = this.#dirty;
    this.#dirty = [];
    this.#scheduled = false;
    for (const conn of dirty) conn.flush();
  };
}
