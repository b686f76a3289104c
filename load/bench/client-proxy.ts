// A TCP proxy in front of a stack's API port, for the client's end-to-end tests and benchmark: it cuts, refuses
// and holds the connections of the clients that go through it.
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface ProxiedPair {
  client: Socket
  upstream: Socket
  realtime: boolean
}

/**
 * A TCP proxy in front of the stack's API port. It tells socket connections (`/realtime/`) from HTTP ones by
 * their first bytes, so a test can cut everything mid-stream, refuse new sockets while HTTP still works
 * (a gateway that cannot be reached), or hold HTTP requests back.
 */
export class CutProxy {
  readonly pairs = new Set<ProxiedPair>()
  /** New realtime connections are closed at once. */
  blockRealtime = false
  #server: Server
  #holdHttp = false
  #held: (() => void)[] = []
  #stalled = false
  #stalledChunks: (() => void)[] = []
  port = 0

  constructor(private readonly target: { host: string; port: number }) {
    this.#server = createServer((client) => this.#accept(client))
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.port = (this.#server.address() as { port: number }).port
    return this
  }

  /** Cuts every open connection (socket and HTTP) in both directions, as a dropped network does. */
  sever(which: 'all' | 'realtime' = 'all'): number {
    let n = 0
    for (const pair of [...this.pairs]) {
      if (which === 'realtime' && !pair.realtime) continue
      pair.client.destroy()
      pair.upstream.destroy()
      this.pairs.delete(pair)
      n++
    }
    return n
  }

  /**
   * A network that dies silently: nothing is forwarded either way, on open connections or new ones, and no
   * socket is closed (no FIN, no RST), as when packets are black-holed. `resume()` delivers what was held, as
   * TCP's retransmissions would once the path is back.
   */
  stall(): void {
    this.#stalled = true
  }

  resume(): void {
    this.#stalled = false
    for (const go of this.#stalledChunks.splice(0)) go()
  }

  /** Requests sent over HTTP connections wait (unforwarded) until `releaseHttp()`. */
  holdHttp(): void {
    this.#holdHttp = true
  }

  /** Chunks of HTTP requests held back so far. */
  get held(): number {
    return this.#held.length
  }

  releaseHttp(): void {
    this.#holdHttp = false
    for (const go of this.#held.splice(0)) go()
  }

  async close(): Promise<void> {
    this.#stalled = false
    this.#stalledChunks = []
    this.sever()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** Runs `go` now, or when the stall ends. */
  #pass(go: () => void): void {
    if (this.#stalled) this.#stalledChunks.push(go)
    else go()
  }

  #accept(client: Socket): void {
    client.once('data', (first: Buffer) => {
      client.pause()
      this.#pass(() => {
        client.resume()
        this.#route(client, first)
      })
    })
    client.on('error', () => client.destroy())
  }

  #route(client: Socket, first: Buffer): void {
    const realtime = first.subarray(0, 200).toString('latin1').includes('/realtime/')
    if (realtime && this.blockRealtime) {
      client.destroy()
      return
    }
    const upstream = connect(this.target.port, this.target.host)
    const pair: ProxiedPair = { client, upstream, realtime }
    this.pairs.add(pair)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      this.pairs.delete(pair)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    upstream.on('data', (chunk) => this.#pass(() => client.write(chunk)))
    const forward = (chunk: Buffer) => {
      if (!realtime && this.#holdHttp) this.#held.push(() => upstream.write(chunk))
      else upstream.write(chunk)
    }
    forward(first)
    client.on('data', (chunk: Buffer) => this.#pass(() => forward(chunk)))
  }
}

export function apiTarget(apiUrl: string): { host: string; port: number } {
  const url = new URL(apiUrl)
  return { host: url.hostname, port: Number(url.port) }
}
