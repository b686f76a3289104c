import { fileURLToPath } from 'node:url'
import { randomUUID } from 'node:crypto'
import { DEMO } from '../../k6/scenarios.js'
import { StackCpu } from '../../bench/stack-cpu.ts'
import { Http, signIn, type StackEnv } from '../../bench/http/client.ts'
import type { ScenarioContext } from '../../bench/scenario.ts'
import type { BenchStack } from '../../bench/stack.ts'
import { functionPath } from '../../k6/routes.js'

/** The demo restaurant the edge-function scenarios work in. */
export const BISTRO = DEMO.restaurant

/** What the edge-function scenarios share: the stack's address, a keep-alive client, the demo staff's tokens. */
export interface FunctionsContext {
  env: StackEnv
  progress: ScenarioContext['progress']
  http: Http
  cpu: StackCpu | undefined
  tokens: { manager: string; expo: string; server: string }
  headers: (token: string, extra?: Record<string, string>) => Record<string, string>
  // deno-lint-ignore no-explicit-any -- a setup answer of any route; the scenario reads the ids it needs
  mutate: (token: string, path: string, body?: unknown) => Promise<Record<string, any>>
}

export async function openContext(
  stack: BenchStack,
  progress: ScenarioContext['progress'],
): Promise<FunctionsContext> {
  const env: StackEnv = { apiUrl: stack.apiUrl, anonKey: stack.anonKey, dbUrl: stack.dbUrl }
  const dataDir = stack.dataDir ?? fileURLToPath(new URL('../../../.stack', import.meta.url))
  const http = new Http(env.apiUrl)
  const headers = (token: string, extra: Record<string, string> = {}) => ({
    apikey: env.anonKey,
    authorization: `Bearer ${token}`,
    ...extra,
  })
  return {
    env,
    progress,
    http,
    cpu: StackCpu.fromDataDir(dataDir),
    tokens: {
      manager: await signIn(http, env.anonKey, DEMO.staff.manager),
      expo: await signIn(http, env.anonKey, DEMO.staff.expo),
      server: await signIn(http, env.anonKey, DEMO.staff.servers[0]!),
    },
    headers,
    mutate: async (token, path, body = {}) => {
      const answer = await http.send(
        'POST',
        functionPath(path),
        headers(token, { 'idempotency-key': randomUUID() }),
        body,
      )
      if (answer.status >= 300) throw new Error(`setup ${path}: ${answer.status} ${answer.body}`)
      // deno-lint-ignore no-explicit-any -- as `mutate` above
      return JSON.parse(answer.body) as Record<string, any>
    },
  }
}
