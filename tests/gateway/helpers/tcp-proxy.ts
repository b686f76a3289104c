import { connect, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A TCP proxy in front of Postgres that a test can stall and cut, to end a connection at an exact point of
 * what the server sends (e.g. in the middle of a replicated transaction) instead of at a moment in time.
 */
export class TcpProxy {
  readonly #server: Server
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>()
  /** Server → client bytes still let through before every connection stalls; Infinity = no stall. */
  #allowance = Infinity
  /** New connections are closed at once, as by a database that is gone. */
  #refusing = false

  private constructor(server: Server) {
    this.#server = server
  }

  static async start(upstreamHost: string, upstreamPort: number): Promise<TcpProxy> {
    const server = createServer()
    const proxy = new TcpProxy(server)
    server.on('connection', (client) => proxy.#accept(client, upstreamHost, upstreamPort))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port
  }

  /** After `bytes` more bytes from the server (all connections together), stop forwarding until cut. */
  stallAfter(bytes: number): void {
    this.#allowance = bytes
  }

  /** Ends every open connection; new ones flow freely. */
  cut(): void {
    for (const { client, upstream } of this.#pairs) {
      client.destroy()
      upstream.destroy()
    }
    this.#pairs.clear()
    this.#allowance = Infinity
  }

  /** While on, every new connection is closed as it opens (open ones are left: `cut()` ends them). */
  refuse(on: boolean): void {
    this.#refusing = on
  }

  async close(): Promise<void> {
    this.cut()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket, host: string, port: number): void {
    if (this.#refusing) {
      client.destroy()
      return
    }
    const upstream = connect(port, host)
    const pair = { client, upstream }
    this.#pairs.add(pair)
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => {
      if (this.#allowance === Infinity) {
        client.write(chunk)
        return
      }
      const passed = chunk.subarray(0, Math.max(0, this.#allowance))
      this.#allowance -= passed.length
      if (passed.length > 0) client.write(passed)
      if (passed.length < chunk.length) upstream.pause() // stalled: the rest waits for the cut
    })
    const drop = () => {
      client.destroy()
      upstream.destroy()
      this.#pairs.delete(pair)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
  }
}
