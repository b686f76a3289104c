// The local auth's edges, on auth servers of this file's own over the shared test database (the shared stack runs
// with raised limits for the other suites, and its database must not be frozen under them):
//   - the `[auth.rate_limit]` budgets of supabase/config.toml, per IP: 429 `over_request_rate_limit` with
//     Retry-After past them, which supabase-js surfaces as AuthApiError status 429;
//   - a stalled or dead database (a proxy that stops forwarding, or cuts and refuses): 503 with Retry-After in
//     bounded time — the answer arrives while the database is still frozen — never 500, and service resumes.
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import { afterAll, describe, expect, it } from 'vitest'
import { type ApiServer, startApiServer } from '../../stack/api/server.ts'
import { createAuthRoute } from '../../stack/auth/index.ts'
import type { AuthRateLimits } from '../../stack/auth/rate-limit.ts'
import { resolveConfig, type StackConfig } from '../../stack/config.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { SEED, SEED_PASSWORD } from '../helpers/seed.ts'
import { testStack } from '../helpers/stack-env.ts'
import { DbProxy } from './helpers/db-proxy.ts'

const cleanup: (() => Promise<unknown> | unknown)[] = []
afterAll(async () => {
  for (const step of cleanup.reverse()) await step()
}, 30_000)

/**
 * An auth server of its own on `dbUrl`, with config.toml's limits (no PLATER_AUTH_RATE_LIMIT_* here) unless
 * `limits` says otherwise.
 */
async function ownAuth(
  dbUrl: string,
  limits?: AuthRateLimits,
): Promise<{ config: StackConfig; server: ApiServer }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plater-auth-edges-'))
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const [port] = await findFreePorts('127.0.0.1', 1)
  const resolved = await resolveConfig({ PLATER_DATA_DIR: dataDir, PLATER_API_PORT: String(port) })
  const config = { ...resolved, dbUrl, authRateLimits: limits ?? resolved.authRateLimits }
  const log = createLogger('auth-edges-test', 'error')
  const auth = await createAuthRoute(config, log)
  const server = await startApiServer({ host: config.apiHost, port: config.apiPort, routes: [auth], log })
  cleanup.push(() => server.close(), () => auth.close?.())
  return { config, server }
}

function supabaseOf(config: StackConfig) {
  return createClient(config.apiUrl, config.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
}

interface Answer {
  status: number
  retryAfter: string | undefined
  body: { code?: string; message?: string; access_token?: string; refresh_token?: string }
}

/** A POST to the auth from a chosen local address (127.0.0.x are all this machine: other callers' IPs). */
function post(config: StackConfig, path: string, body: unknown, localAddress = '127.0.0.1'): Promise<Answer> {
  const text = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(`${config.apiUrl}${path}`, {
      method: 'POST',
      localAddress,
      headers: {
        apikey: config.anonKey,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      },
    }, (res) => {
      let data = ''
      res.on('data', (chunk) => (data += chunk))
      res.on(
        'end',
        () =>
          resolve({
            status: res.statusCode!,
            retryAfter: res.headers['retry-after'],
            body: JSON.parse(data || '{}'),
          }),
      )
    })
    req.on('error', reject)
    req.end(text)
  })
}

const signIn = (config: StackConfig, password: string, from?: string) =>
  post(config, '/auth/v1/token?grant_type=password', { email: SEED.users.ana.email, password }, from)
const refresh = (config: StackConfig, token: string) =>
  post(config, '/auth/v1/token?grant_type=refresh_token', { refresh_token: token })

describe('auth rate limits (supabase/config.toml [auth.rate_limit], per IP)', () => {
  it("with config.toml's sign_in_sign_ups (30): of 31 sign-ins at once, 30 are checked and one is refused", {
    timeout: 120_000,
  }, async () => {
    const { config } = await ownAuth(testStack().dbUrl)
    expect(config.authRateLimits.sign_in_sign_ups).toBe(30)
    // sent together, so the budget (refilled one per 10 s) cannot grow while the passwords are checked
    const answers = await Promise.all(Array.from({ length: 31 }, (_, i) => signIn(config, `wrong-${i}`)))
    const outcomes = answers.map((answer) => `${answer.status} ${answer.body.code}`).sort()
    expect(outcomes).toEqual([...Array(30).fill('400 invalid_credentials'), '429 over_request_rate_limit'])

    // the budget is per caller IP: another address still signs in
    const elsewhere = await signIn(config, SEED_PASSWORD, '127.0.0.2')
    expect(elsewhere.status).toBe(200)
    expect(elsewhere.body.access_token).toBeTruthy()
  })

  it(
    'past a small configured budget: 429 over_request_rate_limit with Retry-After, an AuthApiError in supabase-js',
    { timeout: 120_000 },
    async () => {
      // 2 per 5 minutes: one more each 150 s, so nothing refills while the test runs
      const { config } = await ownAuth(testStack().dbUrl, { sign_in_sign_ups: 2, token_refresh: 2 })
      const supabase = supabaseOf(config)

      for (const attempt of [1, 2]) {
        const { error } = await supabase.auth.signInWithPassword({
          email: SEED.users.ana.email,
          password: `wrong-${attempt}`,
        })
        expect({ attempt, status: error?.status, code: error?.code }).toEqual({
          attempt,
          status: 400,
          code: 'invalid_credentials',
        })
      }
      const { error } = await supabase.auth.signInWithPassword({
        email: SEED.users.ana.email,
        password: SEED_PASSWORD,
      })
      expect({ name: error?.name, status: error?.status, code: error?.code }).toEqual({
        name: 'AuthApiError',
        status: 429,
        code: 'over_request_rate_limit',
      })
      const refused = await signIn(config, SEED_PASSWORD)
      expect(refused.status).toBe(429)
      expect(refused.body).toEqual({ code: 'over_request_rate_limit', message: 'Request rate limit reached' })
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(150)

      // refreshes have a budget of their own
      for (const attempt of [1, 2]) {
        const answer = await refresh(config, `not-a-token-${attempt}`)
        expect({ attempt, status: answer.status, code: answer.body.code }).toEqual({
          attempt,
          status: 400,
          code: 'refresh_token_not_found',
        })
      }
      const { error: refreshError } = await supabase.auth.refreshSession({ refresh_token: 'not-a-token' })
      expect({ name: refreshError?.name, status: refreshError?.status, code: refreshError?.code }).toEqual({
        name: 'AuthApiError',
        status: 429,
        code: 'over_request_rate_limit',
      })
      expect((await signIn(config, SEED_PASSWORD, '127.0.0.2')).status).toBe(200)
    },
  )
})

describe('auth with its database stalled or gone', () => {
  it('answers 503 + Retry-After while the database is frozen or down, never 500 or a hang, and recovers', {
    timeout: 180_000,
  }, async () => {
    const proxy = await new DbProxy(testStack().dbUrl).start()
    cleanup.push(() => proxy.stop())
    const { config } = await ownAuth(proxy.url)
    const supabase = supabaseOf(config)

    const before = await signIn(config, SEED_PASSWORD)
    expect(before.status).toBe(200)
    const { access_token: accessToken, refresh_token: refreshToken } = before.body

    const unavailable = (answer: Answer) => ({
      status: answer.status,
      code: answer.body.code,
      retryAfter: answer.retryAfter,
    })
    const expected = { status: 503, code: 'retry_later', retryAfter: '1' }

    // SIGSTOP-like: the answers come while the proxy still holds every byte (it is healed only afterwards)
    proxy.freeze()
    expect(unavailable(await signIn(config, SEED_PASSWORD))).toEqual(expected)
    expect(unavailable(await refresh(config, refreshToken!))).toEqual(expected)
    expect(unavailable(await signIn(config, SEED_PASSWORD))).toEqual(expected) // on the fresh connections too
    const user = await fetch(`${config.apiUrl}/auth/v1/user`, {
      headers: { apikey: config.anonKey, authorization: `Bearer ${accessToken}` },
    })
    expect({ status: user.status, retryAfter: user.headers.get('retry-after') }).toEqual({
      status: 503,
      retryAfter: '1',
    })
    // supabase-js treats it as retryable
    const { error } = await supabase.auth.signInWithPassword({
      email: SEED.users.ana.email,
      password: SEED_PASSWORD,
    })
    expect({ name: error?.name, status: error?.status }).toEqual({
      name: 'AuthRetryableFetchError',
      status: 503,
    })

    proxy.heal()
    expect((await eventually200(() => signIn(config, SEED_PASSWORD))).status).toBe(200)

    // a crash: connections cut, and every new one
    proxy.crash()
    expect(unavailable(await signIn(config, SEED_PASSWORD))).toEqual(expected)
    expect(unavailable(await signIn(config, SEED_PASSWORD))).toEqual(expected)
    proxy.heal()
    expect((await eventually200(() => signIn(config, SEED_PASSWORD))).status).toBe(200)
  })
})

/** Once the database is back, the auth serves again: the first answers may still be 503 (pool reconnecting). */
async function eventually200(call: () => Promise<Answer>): Promise<Answer> {
  let answer = await call()
  for (let attempt = 0; answer.status === 503 && attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    answer = await call()
  }
  return answer
}
