import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createConsoleRoute } from '../../stack/api/console.ts'
import { startApiServer } from '../../stack/api/server.ts'
import { resolveConfig } from '../../stack/config.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { SEED } from '../helpers/seed.ts'
import { testStack } from '../helpers/stack-env.ts'

// What the stack shows the world beyond its APIs: the console's page headers, its build, the development
// endpoints, the gateway's metrics, the sign-in endpoint's CORS.

describe('the console', () => {
  const { apiUrl } = testStack()

  it('is served with a CSP that forbids framing and foreign scripts', async () => {
    for (const path of ['/', '/kds/grill']) {
      const page = await fetch(`${apiUrl}${path}`, { headers: { accept: 'text/html' } })
      expect(page.status).toBe(200)
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain("frame-ancestors 'none'")
      expect(csp, path).toContain("script-src 'self'")
      expect(page.headers.get('x-frame-options'), path).toBe('DENY')
    }
  })

  it('has no source maps the stack would hand out', async () => {
    const page = await (await fetch(`${apiUrl}/`)).text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)![1]!
    const code = await (await fetch(`${apiUrl}${script}`)).text()
    expect(code).not.toMatch(/sourceMappingURL/)
    const map = await fetch(`${apiUrl}${script}.map`)
    expect(map.status).toBe(404)
  })
})

describe('/console-config.json', () => {
  const { apiUrl } = testStack()

  it('answers no other origin (no CORS headers), even to one that asks', async () => {
    const response = await fetch(`${apiUrl}/console-config.json`, {
      headers: { origin: 'http://evil.example' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = await fetch(`${apiUrl}/console-config.json`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('lists no accounts and no password on a stack whose database is not its own seeded one (DATABASE_URL)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plater-exposure-'))
    const config = await resolveConfig({ DATABASE_URL: testStack().dbUrl, PLATER_DATA_DIR: dataDir })
    const [port] = await findFreePorts('127.0.0.1', 1)
    const log = createLogger('exposure-test', 'error')
    const server = await startApiServer({
      host: '127.0.0.1',
      port: port!,
      routes: [createConsoleRoute(config, log)],
      log,
    })
    try {
      const body = await (await fetch(`${server.url}/console-config.json`)).json()
      expect(body).toEqual({ anonKey: config.anonKey, accounts: [] })
    } finally {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('the gateway metrics', () => {
  const { apiUrl, anonKey, publishableKey, secretKey, serviceRoleKey } = testStack()
  const metrics = (headers: Record<string, string>) => fetch(`${apiUrl}/realtime/v1/metrics`, { headers })

  it('need the secret key', async () => {
    // no valid key: 401; a valid key of a role that is not the service's: 403
    for (
      const [status, headers] of <[number, Record<string, string>][]> [
        [401, {}],
        [401, { apikey: 'sb_secret_forged' }],
        [403, { apikey: anonKey }],
        [403, { apikey: publishableKey }],
        [403, { authorization: `Bearer ${anonKey}` }],
      ]
    ) {
      const response = await metrics(headers)
      expect(response.status, JSON.stringify(headers)).toBe(status)
      expect(await response.json()).not.toHaveProperty('sockets')
    }
    for (
      const headers of <Record<string, string>[]> [{ apikey: secretKey }, {
        authorization: `Bearer ${serviceRoleKey}`,
      }]
    ) {
      const response = await metrics(headers)
      expect(response.status).toBe(200)
      expect(await response.json()).toHaveProperty('sockets')
    }
  })
})

describe('/auth/v1/token', () => {
  const { apiUrl, anonKey } = testStack()
  const origin = 'http://evil.example'

  it('answers no other origin: no CORS on the preflight, on a session, on a refusal', async () => {
    const preflight = await fetch(`${apiUrl}/auth/v1/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'apikey, content-type',
      },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const signIn = (password: string) =>
      fetch(`${apiUrl}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { origin, apikey: anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ email: SEED.users.manager.email, password }),
      })
    const refused = await signIn('not-the-password')
    expect(refused.status).toBe(400)
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    // the other auth endpoints stay open to any origin, as on Supabase
    const jwks = await fetch(`${apiUrl}/auth/v1/.well-known/jwks.json`, { headers: { origin } })
    expect(jwks.headers.get('access-control-allow-origin')).toBe('*')
  })

  it("answers the app's own origins: pages served from this machine and config.toml's Auth URLs", async () => {
    // loopback (an app under `vite`, the example app) and [auth] site_url / additional_redirect_urls
    for (
      const allowed of [
        'http://localhost:5173',
        'http://127.0.0.1:4173',
        'http://127.0.0.1:3000',
        'https://127.0.0.1:3000',
      ]
    ) {
      const preflight = await fetch(`${apiUrl}/auth/v1/token?grant_type=password`, {
        method: 'OPTIONS',
        headers: {
          origin: allowed,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'apikey, content-type',
        },
      })
      expect(preflight.headers.get('access-control-allow-origin'), allowed).toBe(allowed)
      const refused = await fetch(`${apiUrl}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { origin: allowed, apikey: anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ email: SEED.users.manager.email, password: 'not-the-password' }),
      })
      expect(refused.headers.get('access-control-allow-origin'), allowed).toBe(allowed)
      expect(refused.headers.get('vary')).toContain('Origin')
    }
    for (const refused of ['http://127.0.0.1.evil.example', 'http://localhost.evil.example:5173', 'null']) {
      const preflight = await fetch(`${apiUrl}/auth/v1/token?grant_type=password`, {
        method: 'OPTIONS',
        headers: { origin: refused, 'access-control-request-method': 'POST' },
      })
      expect(preflight.headers.get('access-control-allow-origin'), refused).toBeNull()
    }
  })
})
