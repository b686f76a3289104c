import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of Postgres that can play a database in trouble without touching the real one (the other
 * suites share it):
 *   freeze()  as a SIGSTOPped server: connections stay open and new ones are accepted, but no byte moves
 *   crash()   as a killed server: every connection is cut, and so is every new one
 *   heal()    back to forwarding
 */
export class DbProxy {
  readonly #target: URL
  #server: Server | undefined
  #port = 0
  #mode: 'forward' | 'frozen' | 'crashed' = 'forward'
  readonly #pairs = new Set<Pair>()

  constructor(dbUrl: string) {
    this.#target = new URL(dbUrl)
  }

  /** The target's URL with the proxy's address. */
  get url(): string {
    const url = new URL(this.#target)
    url.hostname = '127.0.0.1'
    url.port = String(this.#port)
    return url.toString()
  }

  start(): Promise<this> {
    const server = createServer((client) => this.#accept(client))
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        this.#server = server
        this.#port = (server.address() as { port: number }).port
        resolve(this)
      })
    })
  }

  freeze(): void {
    this.#mode = 'frozen'
    for (const pair of this.#pairs) hold(pair)
  }

  crash(): void {
    this.#mode = 'crashed'
    this.#cutAll()
  }

  heal(): void {
    this.#mode = 'forward'
    for (const pair of this.#pairs) forward(pair)
  }

  async stop(): Promise<void> {
    this.#cutAll()
    const server = this.#server
    this.#server = undefined
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }

  #cutAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.destroy()
      upstream.destroy()
    }
    this.#pairs.clear()
  }

  #accept(client: Socket): void {
    if (this.#mode === 'crashed') {
      client.resetAndDestroy()
      return
    }
    const upstream = connect(Number(this.#target.port || 5432), this.#target.hostname)
    const pair = { client, upstream }
    this.#pairs.add(pair)
    if (this.#mode === 'forward') forward(pair)
    const end = () => {
      this.#pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  }
}

type Pair = { client: Socket; upstream: Socket }

function forward({ client, upstream }: Pair): void {
  client.pipe(upstream)
  upstream.pipe(client)
}

/** Bytes stay where they are (socket buffers, the kernel), as with a process that no longer runs. */
function hold({ client, upstream }: Pair): void {
  client.unpipe(upstream)
  upstream.unpipe(client)
  client.pause()
  upstream.pause()
}
