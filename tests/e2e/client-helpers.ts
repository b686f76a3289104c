// End-to-end helpers for the client library: the official client signed in as seeded staff, a TCP proxy of
// the test's own between the client and the stack (to cut, block and hold its connections), and waits.
import { createServer, type Server, type Socket, connect } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createPlaterClient, type PlaterClient, type PlaterClientOptions, type StoreTrace } from '../../client/src/index.ts';
import { SEED_PASSWORD } from '../helpers/seed.ts';

export interface Staff {
  plater: PlaterClient;
  /** Every seq applied per topic, and every snapshot loaded, in order. */
  trace: { topic: string; kind: 'snapshot' | 'apply'; seq: number; epoch: string | null }[];
}

/** Signs in with the password (as an app would) and makes a Plater client on that session's token. */
export async function staffClient(
  apiUrl: string,
  anonKey: string,
  email: string,
  options: Partial<PlaterClientOptions> & { via?: string } = {},
): Promise<Staff> {
  const auth = createClient(apiUrl, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
  const { error } = await auth.auth.signInWithPassword({ email, password: SEED_PASSWORD });
  if (error) throw new Error(`sign-in of ${email} failed: ${error.message}`);
  const trace: Staff['trace'] = [];
  const onTrace: StoreTrace = (event) => trace.push(event);
  const plater = createPlaterClient(
    {
      supabaseUrl: options.via ?? apiUrl,
      anonKey,
      transport: WebSocket,
      storage: null,
      accessToken: async () => (await auth.auth.getSession()).data.session?.access_token ?? null,
      ...options,
    },
    { trace: onTrace },
  );
  return { plater, trace };
}

/** Applied seqs of a topic must be contiguous from each snapshot on, each once: returns what is wrong (empty: fine). */
export function seqProblems(trace: Staff['trace'], topic: string): string[] {
  const problems: string[] = [];
  let expected: number | null = null;
  const seen = new Set<string>();
  for (const event of trace.filter((e) => e.topic === topic)) {
    if (event.kind === 'snapshot') {
      expected = event.seq + 1;
      continue;
    }
    const key = `${event.epoch}:${event.seq}`;
    if (seen.has(key)) problems.push(`seq ${event.seq} applied twice`);
    seen.add(key);
    if (expected !== null && event.seq !== expected) problems.push(`seq ${event.seq} applied where ${expected} was due`);
    expected = event.seq + 1;
  }
  return problems;
}

export async function waitUntil<T>(check: () => T | undefined | false | null, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Pair {
  client: Socket;
  upstream: Socket;
  realtime: boolean;
}

/**
 * A TCP proxy in front of the stack's API port. It tells socket connections (`/realtime/`) from HTTP ones by
 * their first bytes, so a test can cut everything mid-stream, refuse new sockets while HTTP still works
 * (a gateway that cannot be reached), or hold HTTP requests back.
 */
export class CutProxy {
  readonly pairs = new Set<Pair>();
  /** New realtime connections are closed at once. */
  blockRealtime = false;
  #server: Server;
  #holdHttp = false;
  #held: (() => void)[] = [];
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.#server = createServer((client) => this.#accept(client));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  /** Cuts every open connection (socket and HTTP) in both directions, as a dropped network does. */
  sever(which: 'all' | 'realtime' = 'all'): number {
    let n = 0;
    for (const pair of [...this.pairs]) {
      if (which === 'realtime' && !pair.realtime) continue;
      pair.client.destroy();
      pair.upstream.destroy();
      this.pairs.delete(pair);
      n++;
    }
    return n;
  }

  /** Requests sent over HTTP connections wait (unforwarded) until `releaseHttp()`. */
  holdHttp(): void {
    this.#holdHttp = true;
  }

  /** Chunks of HTTP requests held back so far. */
  get held(): number {
    return this.#held.length;
  }

  releaseHttp(): void {
    this.#holdHttp = false;
    for (const go of this.#held.splice(0)) go();
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    client.once('data', (first: Buffer) => {
      const realtime = first.subarray(0, 200).toString('latin1').includes('/realtime/');
      if (realtime && this.blockRealtime) {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      const pair: Pair = { client, upstream, realtime };
      this.pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.on('data', (chunk) => client.write(chunk));
      const forward = (chunk: Buffer) => {
        if (!realtime && this.#holdHttp) this.#held.push(() => upstream.write(chunk));
        else upstream.write(chunk);
      };
      forward(first);
      client.on('data', forward);
    });
    client.on('error', () => client.destroy());
  }
}

export function apiTarget(apiUrl: string): { host: string; port: number } {
  const url = new URL(apiUrl);
  return { host: url.hostname, port: Number(url.port) };
}
