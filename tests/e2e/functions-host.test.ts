// The functions host on its own (no stack needed): fixture functions in a scratch project, served the way
// `/functions/v1/<name>` is served by the stack.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importJWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publicJwk, type StackConfig } from '../../stack/config.ts'
import { createFunctionsRoute, type FunctionsRoute } from '../../stack/functions-host/index.ts'
import { MAX_BODY_BYTES } from '../../stack/functions-host/proxy.ts'
import { createLogger } from '../../stack/log.ts'
import { newSigningKey } from '../../stack/install-secrets.ts'

const SECRET = 'host-test-secret-host-test-secret-0123456789'
const SIGNING_KEY = newSigningKey()
const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')

const FIXTURES: Record<string, string> = {
  open: `Deno.serve(async (req) => Response.json({
    method: req.method,
    path: new URL(req.url).pathname + new URL(req.url).search,
    body: req.method === 'POST' ? await req.json() : null,
    env: { url: Deno.env.get('SUPABASE_URL'), db: Deno.env.get('SUPABASE_DB_URL'), secret: Deno.env.get('JWT_SECRET') !== undefined,
      publishable: JSON.parse(Deno.env.get('SUPABASE_PUBLISHABLE_KEYS') ?? '{}').default },
  }))`,
  closed: `Deno.serve((req) => req.method === 'OPTIONS'
    ? new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*' } })
    : Response.json({ authorization: req.headers.get('authorization') !== null }))`,
  throws: `Deno.serve(async (req) => {
    const path = new URL(req.url).pathname
    if (path.endsWith('/ok')) return new Response('fine')
    if (path.endsWith('/async')) { await Promise.resolve(); throw new Error('async boom') }
    throw new Error('boom')
  })`,
  crash: `Deno.serve((req) => {
    if (new URL(req.url).pathname.endsWith('/exit')) Deno.exit(1)
    return Response.json({ pid: Deno.pid })
  })`,
  exported: `export default { fetch: () => new Response('from default export') }`,
  disabled: `Deno.serve(() => new Response('should not be served'))`,
}

const CONFIG = `
[functions.open]
verify_jwt = false

[functions.closed]
entrypoint = "./functions/closed/index.ts"

[functions.disabled]
enabled = false
`

let dir: string
let route: FunctionsRoute
let server: Server
let base: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plater-functions-host-'))
  mkdirSync(join(dir, 'supabase'))
  writeFileSync(join(dir, 'supabase', 'config.toml'), CONFIG)
  writeFileSync(join(dir, 'deno.json'), JSON.stringify({ nodeModulesDir: 'none' }))
  for (const [name, source] of Object.entries(FIXTURES)) {
    mkdirSync(join(dir, 'functions', name), { recursive: true })
    writeFileSync(join(dir, 'functions', name, 'index.ts'), source)
  }
  mkdirSync(join(dir, 'functions', '_shared'))
  symlinkSync('../functions', join(dir, 'supabase', 'functions')) // as in this repo
  writeFileSync(join(dir, 'functions', '_shared', 'index.ts'), 'export {}')
  process.env.PLATER_DENO ??= join(repoRoot, 'node_modules', '.bin', 'deno')
  const config = {
    repoRoot: dir,
    dataDir: join(dir, '.stack'),
    apiHost: '127.0.0.1',
    apiPort: 0,
    apiUrl: 'http://127.0.0.1:1',
    dbPort: 1,
    dbUrl: 'postgresql://nobody@127.0.0.1:1/none',
    externalDb: true,
    jwtSecret: SECRET,
    anonKey: 'anon',
    serviceRoleKey: 'service',
    signingKey: SIGNING_KEY,
    jwks: { keys: [publicJwk(SIGNING_KEY)] },
    publishableKey: 'sb_publishable_hostTest',
    secretKey: 'sb_secret_hostTest',
    authRateLimits: { sign_in_sign_ups: 30, token_refresh: 150 },
  } satisfies StackConfig
  route = await createFunctionsRoute(config, createLogger('functions-host-test', 'error'), {
    startTimeoutMs: 30_000,
  })
  server = createServer((req, res) => void route.handleRequest!(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1`
}, 60_000)

afterAll(async () => {
  await route?.close?.()
  if (server) await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

const token = () =>
  new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(
    new TextEncoder().encode(SECRET),
  )

describe('functions host', () => {
  it('serves every function folder and config section, except disabled and _shared', () => {
    expect(route.functions.map((f) => [f.name, f.verifyJwt])).toEqual([
      ['closed', true],
      ['crash', true],
      ['exported', true],
      ['open', false],
      ['throws', true],
    ])
  })

  it('passes method, path, query and body to the function, with the Supabase environment', async () => {
    const res = await fetch(`${base}/open/deeper/path?x=1`, {
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      method: 'POST',
      path: '/open/deeper/path?x=1',
      body: { a: 1 },
      env: {
        url: 'http://127.0.0.1:1',
        db: 'postgresql://nobody@127.0.0.1:1/none',
        secret: true,
        publishable: 'sb_publishable_hostTest',
      },
    })
  })

  it('honours verify_jwt: 401 JSON before the function runs, unless the token verifies', async () => {
    const none = await fetch(`${base}/closed`)
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({
      code: 'missing_authorization',
      message: 'missing Authorization header',
    })
    const forged = await fetch(`${base}/closed`, {
      headers: {
        authorization: `Bearer ${await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('not-the-secret-not-the-secret-123'))}`,
      },
    })
    expect(forged.status).toBe(401)
    expect((await forged.json()).code).toBe('invalid_jwt')
    const good = await fetch(`${base}/closed`, { headers: { authorization: `Bearer ${await token()}` } })
    expect(await good.json()).toEqual({ authorization: true })
    const es256 = await new SignJWT({ role: 'authenticated', sub: '00000000-0000-4000-8000-000000000001' })
      .setProtectedHeader({ alg: 'ES256', kid: SIGNING_KEY.kid })
      .setExpirationTime('1h')
      .sign(await importJWK(SIGNING_KEY, 'ES256'))
    expect((await fetch(`${base}/closed`, { headers: { authorization: `Bearer ${es256}` } })).status).toBe(
      200,
    )
    expect((await fetch(`${base}/open`)).status).toBe(200)
    const preflight = await fetch(`${base}/closed`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(204)
  })

  it("verify_jwt applies the stack's token rules: HS512, no exp, nbf ahead, an sb_ key are refused", async () => {
    const secret = new TextEncoder().encode(SECRET)
    const refused = [
      await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS512' }).setExpirationTime('1h').sign(
        secret,
      ),
      await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256' }).sign(secret),
      // an hour ahead: refused whatever the machine's load (the rule itself is tested with an injected clock)
      await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256' }).setNotBefore('1h')
        .setExpirationTime('2h').sign(secret),
      'sb_publishable_hostTest',
    ]
    for (const bad of refused) {
      const res = await fetch(`${base}/closed`, { headers: { authorization: `Bearer ${bad}` } })
      expect(res.status).toBe(401)
    }
  })

  it('a function that throws answers 500 JSON and the worker keeps serving', async () => {
    const auth = { authorization: `Bearer ${await token()}` }
    for (const path of ['throws', 'throws/async']) {
      const res = await fetch(`${base}/${path}`, { headers: auth })
      expect(res.status).toBe(500)
      expect(await res.json()).toEqual({ code: 'function_error', message: 'function "throws" failed' })
    }
    const ok = await fetch(`${base}/throws/ok`, { headers: auth })
    expect(await ok.text()).toBe('fine')
  })

  it('a worker that dies is restarted; the request it took answers 502 JSON', async () => {
    const auth = { authorization: `Bearer ${await token()}` }
    const before = (await (await fetch(`${base}/crash`, { headers: auth })).json()).pid
    const dying = await fetch(`${base}/crash/exit`, { headers: auth })
    expect(dying.status).toBe(502)
    expect(dying.headers.get('x-relay-error')).toBe('true')
    expect((await dying.json()).code).toBe('function_crashed')
    const after = await fetch(`${base}/crash`, { headers: auth })
    expect(after.status).toBe(200)
    expect((await after.json()).pid).not.toBe(before)
    expect(route.worker('crash')!.restarts).toBe(1) // the request that killed it is not sent again
  })

  it('supports `export default { fetch }` and answers 404 JSON for unknown functions', async () => {
    const auth = { authorization: `Bearer ${await token()}` }
    expect(await (await fetch(`${base}/exported`, { headers: auth })).text()).toBe('from default export')
    for (const name of ['nope', 'disabled', '_shared']) {
      const res = await fetch(`${base}/${name}`, { headers: auth })
      expect(res.status).toBe(404)
      expect((await res.json()).code).toBe('function_not_found')
    }
  })
})

describe('request bodies', () => {
  const jsonOf = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - '{"pad":""}'.length) })

  it(`take up to ${MAX_BODY_BYTES} bytes`, async () => {
    const res = await fetch(`${base}/open`, { method: 'POST', body: jsonOf(MAX_BODY_BYTES) })
    expect(res.status).toBe(200)
    expect((await res.json()).body.pad).toHaveLength(MAX_BODY_BYTES - 10)
  })

  it('over the limit answer 413 JSON (not a reset connection), whether the length is declared or streamed', async () => {
    const body = jsonOf(MAX_BODY_BYTES + 1)
    const declared = await fetch(`${base}/open`, { method: 'POST', body })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toEqual({
      code: 'payload_too_large',
      message: `the body exceeds ${MAX_BODY_BYTES} bytes`,
    })

    const bytes = new TextEncoder().encode(body)
    const chunked = await fetch(`${base}/open`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 64 * 1024) {
            controller.enqueue(bytes.subarray(at, at + 64 * 1024))
          }
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    expect((await chunked.json()).code).toBe('payload_too_large')
    expect((await fetch(`${base}/open`)).status).toBe(200)
  })
})
