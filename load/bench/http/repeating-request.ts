import { connect, type Socket } from 'node:net'

/**
 * One keep-alive HTTP/1.1 connection that sends the same request again and again, one at a time (no pipelining),
 * and reads just the status and the body length. A load generator sharing a 2-core machine with the server should
 * spend as little CPU per request as it can, and node:http's client costs several times what this one does
 * (docs/decisions.md, 2026-11-27).
 * Understands Content-Length bodies (and none, as for 304); anything else ends the connection and is retried.
 */
export class RepeatingRequest {
  #socket: Socket | undefined
  #buffer: Buffer = Buffer.alloc(0)
  #waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined

  constructor(
    readonly host: string,
    readonly port: number,
    readonly request: Buffer,
  ) {}

  static build(method: string, path: string, host: string, headers: Record<string, string>): Buffer {
    const lines = [
      `${method} ${path} HTTP/1.1`,
      `host: ${host}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ]
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
  }

  /** Sends the request and resolves with the response status once the whole response has arrived. */
  send(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
      const socket = this.#socket ?? this.#open()
      socket.write(this.request)
    })
  }

  close(): void {
    this.#socket?.destroy()
    this.#socket = undefined
  }

  #open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true })
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    const fail = (error?: Error) => {
      if (this.#socket === socket) this.#socket = undefined
      const waiting = this.#waiting
      this.#waiting = undefined
      this.#buffer = Buffer.alloc(0)
      waiting?.reject(error ?? new Error('connection closed'))
    }
    socket.on('error', fail)
    socket.on('close', () => fail())
    this.#socket = socket
    return socket
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const end = this.#buffer.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.#buffer.toString('latin1', 0, end)
    const status = Number(head.slice(9, 12))
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
    if (!length && /\r\ntransfer-encoding:/i.test(head)) {
      this.#socket?.destroy(new Error(`unsupported response framing (status ${status})`))
      return
    }
    const total = end + 4 + (length ? Number(length[1]) : 0)
    if (this.#buffer.length < total) return
    this.#buffer = this.#buffer.subarray(total)
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.resolve(status)
  }
}
