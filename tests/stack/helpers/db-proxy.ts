import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy in front of Postgres that can play a database in trouble without touching the real one (the other
 * suites share it):
 *   freeze()  as a SIGSTOPped server: connections stay open and new ones are accepted, but no byte moves
 *   crash()   as a killed server: every connection is cut and new ones are refused
 *   heal()    back to forwarding
 */
export class DbProxy {
  readonly #target: URL;
  #server: Server | undefined;
  #port = 0;
  #frozen = false;
  readonly #pairs = new Set<Pair>();

  constructor(dbUrl: string) {
    this.#target = new URL(dbUrl);
  }

  /** The target's URL with the proxy's address. */
  get url(): string {
    const url = new URL(this.#target);
    url.hostname = '127.0.0.1';
    url.port = String(this.#port);
    return url.toString();
  }

  async start(): Promise<this> {
    await this.#listen(0);
    return this;
  }

  freeze(): void {
    this.#frozen = true;
    for (const pair of this.#pairs) hold(pair);
  }

  async crash(): Promise<void> {
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
    await this.#close();
  }

  async heal(): Promise<void> {
    this.#frozen = false;
    if (!this.#server) await this.#listen(this.#port);
    for (const pair of this.#pairs) forward(pair);
  }

  async stop(): Promise<void> {
    await this.crash();
  }

  #accept(client: Socket): void {
    const upstream = connect(Number(this.#target.port || 5432), this.#target.hostname);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    if (!this.#frozen) forward(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.#server = server;
        this.#port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

type Pair = { client: Socket; upstream: Socket };

function forward({ client, upstream }: Pair): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Bytes stay where they are (socket buffers, the kernel), as with a process that no longer runs. */
function hold({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
