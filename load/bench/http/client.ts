import { Agent, request } from 'node:http'
import { DEMO } from '../../k6/scenarios.js'
import { SIGN_IN_PATH } from '../../k6/routes.js'

/** The stack's API and database, as the functions scenarios need them. */
export interface StackEnv {
  apiUrl: string
  anonKey: string
  dbUrl: string
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A lean keep-alive HTTP client (node:http, not fetch: the load generator shares the machine with the stack). */
export class Http {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 1024 })
  readonly #url: URL

  constructor(baseUrl: string) {
    this.#url = new URL(baseUrl)
  }

  send(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          headers: payload
            ? { ...headers, 'content-type': 'application/json', 'content-length': payload.length }
            : headers,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on(
            'end',
            () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
          )
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/** An access token for a seeded staff member, through the stack's /auth/v1 (as signInWithPassword does). */
export async function signIn(http: Http, anonKey: string, email: string): Promise<string> {
  const answer = await http.send('POST', SIGN_IN_PATH, {
    apikey: anonKey,
    authorization: `Bearer ${anonKey}`,
  }, {
    email,
    password: DEMO.password,
  })
  if (answer.status !== 200) throw new Error(`sign-in of ${email} failed: ${answer.status} ${answer.body}`)
  return (JSON.parse(answer.body) as { access_token: string }).access_token
}
