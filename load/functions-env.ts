import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

/** Where the stack is: PLATER_* variables (as `plater test` exports them) or `plater status -o env`. */
export interface StackEnv {
  apiUrl: string;
  anonKey: string;
  dbUrl: string;
}

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  if (env.PLATER_API_URL && env.PLATER_ANON_KEY && env.PLATER_DB_URL) {
    return { apiUrl: env.PLATER_API_URL, anonKey: env.PLATER_ANON_KEY, dbUrl: env.PLATER_DB_URL };
  }
  const cli = fileURLToPath(new URL('../stack/bin/plater.mjs', import.meta.url));
  const text = execFileSync(process.execPath, [cli, 'status', '-o', 'env'], { encoding: 'utf8' });
  const values = Object.fromEntries(
    [...text.matchAll(/^([A-Z_]+)="?(.*?)"?$/gm)].map((match) => [match[1]!, match[2]!]),
  );
  if (!values.API_URL || !values.ANON_KEY || !values.DB_URL) throw new Error('no running stack: start one with `npx plater start`');
  return { apiUrl: values.API_URL, anonKey: values.ANON_KEY, dbUrl: values.DB_URL };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A lean keep-alive HTTP client (node:http, not fetch: the load generator shares the machine with the stack). */
export class Http {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 1024 });
  readonly #url: URL;

  constructor(baseUrl: string) {
    this.#url = new URL(baseUrl);
  }

  send(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          headers: payload ? { ...headers, 'content-type': 'application/json', 'content-length': payload.length } : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export const STAFF_PASSWORD = 'plater-demo';

/** An access token for a seeded staff member, through the stack's /auth/v1 (as signInWithPassword does). */
export async function signIn(http: Http, anonKey: string, email: string): Promise<string> {
  const answer = await http.send('POST', '/auth/v1/token?grant_type=password', { apikey: anonKey, authorization: `Bearer ${anonKey}` }, {
    email,
    password: STAFF_PASSWORD,
  });
  if (answer.status !== 200) throw new Error(`sign-in of ${email} failed: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { access_token: string }).access_token;
}
