import { describe, expect, it } from 'vitest'
import { type RawAnswer, rawExchange } from '../helpers/raw-http.ts'
import { testStack } from '../helpers/stack-env.ts'

// Generated HTTP requests written byte for byte over TCP to the API port of the test stack: request lines,
// targets, percent-encodings, methods, versions, Host headers, header sizes and WebSocket upgrades, valid and
// not. Whatever arrives, the stack answers below 500 (or closes the connection) and its API process never dies.
// The generator is seeded: PLATER_FUZZ_SEED=<seed> repeats a run request for request.
// Requests carry no valid credentials, so none of them changes data or spends another suite's sign-in or join
// budget; /auth/v1/token is left out for the same reason (its rate limit counts per address).

const REQUESTS = 5000
// The gateway answers a refused upgrade only after its connect-error backoff (seconds): enough connections in
// flight that those waits overlap.
const CONCURRENCY = 32

/** mulberry32: a small seeded generator, so a failing run can be repeated exactly. */
function generator(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  const chance = (p: number) => next() < p
  return { int, pick, chance }
}
type Random = ReturnType<typeof generator>

const METHODS = [
  'GET',
  'GET',
  'GET',
  'POST',
  'POST',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
  'PATCH',
  'CONNECT',
  'TRACE',
  'get',
  'G E T',
  'PRI',
  'M-SEARCH',
  '\u00e9',
  '',
]
const PATHS = [
  '/',
  '/health',
  '/healthz',
  '/console-config.json',
  '/kds/grill',
  '/assets/index.js',
  '/assets/x.js.map',
  '/index.html',
  '/functions/v1/session',
  '/functions/v1/menu',
  '/functions/v1/snapshot',
  '/functions/v1/catch-up',
  '/functions/v1/orders',
  '/functions/v1/tables/1/seat',
  '/functions/v1/nope',
  '/functions/v1/',
  '/functions/v1',
  '/realtime/v1/websocket',
  '/realtime/v1/metrics',
  '/realtime/v1/api/broadcast',
  '/realtime/v1/api/broadcast/t/events/e',
  '/auth/v1/user',
  '/auth/v1/health',
  '/auth/v1/logout',
  '/auth/v1/.well-known/jwks.json',
  '/auth/v1/signup',
]
const ODD_TARGETS = [
  '//[',
  '//',
  '///x',
  'http://a:99999/',
  'http://%zz/',
  'http://[/',
  'http://a/health',
  'https://a:1/functions/v1/session',
  'ws://x/realtime/v1/websocket',
  'ftp://a/',
  'mailto:x',
  '*',
  'a',
  '?',
  '#',
  '/%',
  '/%zz',
  '/%00',
  '/%c0%af',
  '/%ff%fe',
  '/..',
  '/../../etc/passwd',
  '/./health',
  '/health/..',
  '/\\health',
  '/health#frag',
  '/%2e%2e/%2e%2e/',
  '/;',
  '/@',
  '/:',
  '/' + 'a'.repeat(9000),
  '/?' + 'q=1&'.repeat(2000),
]
const SEGMENTS = [
  '%zz',
  '%',
  '%4',
  '%41',
  '%00',
  '%2F',
  '%2e%2e',
  '%e9',
  '%F0%9F%8D%95',
  '..',
  '.',
  '',
  ';',
  ',',
  '=',
  '@',
  ':',
  '~',
  '!',
  '$',
  '*',
  'x'.repeat(300),
  '[',
  ']',
  '{',
  '}',
  '|',
  '^',
  '`',
  '"',
  '<',
  '>',
  '\u00e9',
  '\u{1f355}',
  '\\',
]
const HOSTS = [
  'localhost',
  '127.0.0.1',
  'localhost:54321',
  '127.0.0.1:1',
  '[::1]',
  '[::1]:80',
  'x:',
  'a_b.example',
]
const ODD_HOSTS = [
  '[',
  '[::1',
  'a b',
  'x:99999',
  'x:-1',
  'x:0x50',
  '',
  ' ',
  'a@b',
  'a/b',
  'a?b',
  'a#b',
  '%zz',
  'a%20b',
  '\u00e9',
  'xn--',
  '..',
  '*',
  'a'.repeat(300),
  'a,b',
  '[v1.x]',
  '999.1.1.1',
]
const VERSIONS = [
  'HTTP/1.1',
  'HTTP/1.1',
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/0.9',
  'HTTP/1.10',
  'HTTX/1.1',
  '',
]

function mutatePath(random: Random, path: string): string {
  let out = path
  for (let n = random.int(3); n > 0; n--) {
    const at = random.int(out.length + 1)
    out = `${out.slice(0, at)}${random.chance(0.5) ? '/' : ''}${random.pick(SEGMENTS)}${out.slice(at)}`
  }
  if (random.chance(0.3)) {
    out += `?${
      random.pick([
        'apikey=x',
        'vsn=2.0.0',
        'topic=%zz',
        'a=%',
        'grant_type=password',
        'x=' + random.pick(SEGMENTS),
      ])
    }`
  }
  return out
}

/** The gateway's socket endpoint, often with a key that opens a socket (anonymous and never joined: no join budget). */
function socketTarget(random: Random, anonKey: string): string {
  const key = random.pick([anonKey, anonKey, 'x', '', '%zz'])
  const query = `apikey=${key}&vsn=${random.pick(['1.0.0', '2.0.0', '2.0.0', '3', '%zz', ''])}${
    random.chance(0.2) ? `&${random.pick(SEGMENTS)}` : ''
  }`
  return `${
    random.chance(0.8) ? '/realtime/v1/websocket' : mutatePath(random, '/realtime/v1/websocket')
  }?${query}`
}

function target(random: Random): string {
  if (random.chance(0.25)) return random.pick(ODD_TARGETS)
  const path = random.pick(PATHS)
  const mutated = random.chance(0.5) ? mutatePath(random, path) : path
  return random.chance(0.1) ? `http://${random.pick([...HOSTS, ...ODD_HOSTS])}${mutated}` : mutated
}

function headers(random: Random, anonKey: string, upgrade: boolean): string[] {
  const out: string[] = []
  const host = random.int(10)
  if (host < 6) out.push(`Host: ${random.pick(HOSTS)}`)
  else if (host < 8) out.push(`Host: ${random.pick(ODD_HOSTS)}`)
  else if (host === 8) out.push('Host: localhost', `Host: ${random.pick(ODD_HOSTS)}`)
  // the anon key reaches the functions' own code (it may read nothing and change nothing)
  if (random.chance(0.4)) {
    out.push(
      `Authorization: ${
        random.pick([
          'Bearer',
          'Bearer x',
          'Bearer a.b.c',
          'Basic Zm9vOmJhcg==',
          'Bearer ' + 'x'.repeat(5000),
          `Bearer ${anonKey}`,
          `Bearer ${anonKey}`,
        ])
      }`,
    )
  }
  if (random.chance(0.2)) out.push(`apikey: ${random.pick(['x', 'sb_publishable_x', 'sb_secret_x', ''])}`)
  if (random.chance(0.2)) out.push(`Accept: ${random.pick(['text/html', '*/*', 'application/json'])}`)
  if (random.chance(0.15)) out.push(`Origin: ${random.pick(['http://evil.example', 'null', '%zz', ''])}`)
  if (upgrade) {
    out.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13')
    if (random.chance(0.8)) {
      out.push(`Sec-WebSocket-Key: ${random.pick(['dGhlIHNhbXBsZSBub25jZQ==', 'x', ''])}`)
    }
  }
  if (random.chance(0.1)) out.push(`X-Big: ${'b'.repeat(random.pick([100, 8000, 17_000, 70_000]))}`)
  if (random.chance(0.05)) { for (let n = random.pick([50, 200]); n > 0; n--) out.push(`X-Many-${n}: ${n}`) }
  if (random.chance(0.1)) {
    out.push(
      random.pick([
        'No-Colon',
        ': empty-name',
        'Bad Name: x',
        ' folded: x',
        'X: \u00e9\u{1f355}',
        'X:\tx',
        'Content-Length: -1',
        'Content-Length: 1, 2',
        'Transfer-Encoding: chunked',
        'Transfer-Encoding: gzip, chunked',
        'Expect: 100-continue',
      ]),
    )
  }
  return out
}

/** A body, and whether it is all there (a declared length or chunking it does not fulfil leaves the server waiting). */
function body(random: Random, lines: string[]): { text: string; whole: boolean } {
  if (!random.chance(0.3)) return { text: '', whole: true }
  const text = random.pick([
    '{}',
    '{"email":"x@y.z","password":"p"}',
    '[',
    'null',
    '\u0000\u00ff',
    'x'.repeat(2000),
    '{"messages":[{"topic":"t","event":"e","payload":{}}]}',
  ])
  if (random.chance(0.2)) {
    lines.push('Transfer-Encoding: chunked')
    const end = random.pick(['0\r\n\r\n', 'zz\r\n', ''])
    return { text: `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n${end}`, whole: end !== '' }
  }
  const length = random.chance(0.9) ? Buffer.byteLength(text) : random.pick([0, 5, 99999])
  lines.push(`Content-Length: ${length}`)
  return { text, whole: length <= Buffer.byteLength(text) }
}

/** One request as the bytes written (a request line may come out as garbage on purpose). */
function request(random: Random, anonKey: string): { bytes: Buffer; halfClose: boolean } {
  const upgrade = random.chance(0.15)
  const lines = headers(random, anonKey, upgrade)
  const payload = body(random, lines)
  // Most ask the server to close after answering; the rest stay open (the exchange reads one answer).
  if (!upgrade && random.chance(0.9)) lines.push('Connection: close')
  const path = upgrade && random.chance(0.6) ? socketTarget(random, anonKey) : target(random)
  const line = random.chance(0.05)
    ? random.pick([
      '',
      ' ',
      'GET',
      'GET /',
      'GET  / HTTP/1.1',
      '\u0000\u0001\u0002',
      'GET / HTTP/1.1 extra',
      '\r\n',
    ])
    : `${random.chance(0.8) ? random.pick(METHODS.slice(0, 7)) : random.pick(METHODS)} ${path} ${
      random.chance(0.8) ? 'HTTP/1.1' : random.pick(VERSIONS)
    }`
  const text = `${line}\r\n${lines.join('\r\n')}${lines.length ? '\r\n' : ''}\r\n${payload.text}`
  // Some bytes that are not UTF-8 at all (latin1 on the wire).
  return { bytes: Buffer.from(text, random.chance(0.05) ? 'latin1' : 'utf8'), halfClose: !payload.whole }
}

async function health(apiUrl: string): Promise<{ db: string; api?: { restarts: number } }> {
  return (await (await fetch(`${apiUrl}/health`)).json()) as { db: string; api?: { restarts: number } }
}

describe('the request fuzzer', () => {
  it(
    `answers ${REQUESTS} generated requests below 500 and the API process never exits`,
    { timeout: 120_000 },
    async () => {
      const { apiUrl, anonKey } = testStack()
      const port = Number(new URL(apiUrl).port)
      const seed = Number(process.env.PLATER_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
      console.log(`request fuzzer: seed ${seed} (PLATER_FUZZ_SEED=${seed} repeats it)`)
      const random = generator(seed)
      const requests = Array.from({ length: REQUESTS }, () => request(random, anonKey))

      const before = await health(apiUrl)
      expect(before.api, 'the test stack runs its API process supervised').toBeDefined()
      const failures: { request: string; status?: number; error?: string }[] = []
      const statuses = new Map<number, number>()
      let next = 0
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) {
            const { bytes, halfClose } = requests[next++]!
            const { status, error }: RawAnswer = await rawExchange(port, bytes, { halfClose, quietMs: 1000 })
            if (status !== undefined) statuses.set(status, (statuses.get(status) ?? 0) + 1)
            if ((status ?? 0) >= 500 || error) {
              failures.push({
                request: JSON.stringify(bytes.toString('latin1').slice(0, 300)),
                status,
                error,
              })
            }
          }
        }),
      )
      const after = await health(apiUrl)

      const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`)
        .join(' ')
      console.log(`request fuzzer: ${REQUESTS} requests, answers ${summary}`)
      expect(failures.slice(0, 10), `seed ${seed}: ${failures.length} requests answered ≥ 500 or not at all`)
        .toEqual([])
      expect(after.api?.restarts, `seed ${seed}: the API process was restarted`).toBe(before.api?.restarts)
      expect(after.db).toBe('up')
    },
  )
})
