import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { Logger } from '../../stack/log.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { ownGateway } from './helpers/own-gateway.ts'
import { testStack } from './helpers/stack.ts'

// Deeply nested JSON from a client: refused where it comes in (400 on REST, a dropped frame on a socket), never
// an unhandled error, and logged once per interval for the whole gateway, not once per frame. A gateway of our
// own whose log the test reads, on a clock that stays put so the interval cannot pass during the test.

const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = []
const capture: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields) => lines.push({ level: 'error', message, fields }),
  child: () => capture,
}

const server = ownGateway({ slotName: 'plater_realtime_bad_input_test' }, {
  clock: new ManualClock(),
  log: capture,
})

/** `[[[…{"n":1}…]]]`, `depth` levels in all. */
const nested = (depth: number) => '['.repeat(depth - 1) + '{"n":1}' + ']'.repeat(depth - 1)

describe('deeply nested JSON', () => {
  it('answers a REST broadcast nested 100 000 levels deep with 400, on both endpoints, and logs no error', async () => {
    const { anonKey } = testStack()
    const post = (path: string, body: string) =>
      fetch(`${server.url}/realtime/v1/api/broadcast${path}`, {
        method: 'POST',
        headers: { apikey: anonKey, 'content-type': 'application/json' },
        body,
      })
    const batch = await post('', `{"messages":[{"topic":"deep","event":"e","payload":${nested(100_000)}}]}`)
    expect(batch.status).toBe(400)
    expect(await batch.json()).toEqual({ message: 'Request body nests JSON deeper than 64 levels' })
    const single = await post('/deep/events/e', nested(100_000))
    expect(single.status).toBe(400)
    // At the limit it is an ordinary payload (the batch wraps it in three levels).
    expect((await post('', `{"messages":[{"topic":"deep","event":"e","payload":${nested(61)}}]}`)).status)
      .toBe(202)
    expect((await post('/deep/events/e', nested(64))).status).toBe(202)
    expect(lines.filter((l) => l.level === 'error')).toEqual([])
  })

  it('drops nested frames from many sockets with one warning, and every socket keeps being served', async () => {
    const before = server.gateway.snapshot().drops.malformedFrames
    const warningsBefore = lines.filter((l) => l.message === 'dropped malformed frame').length
    const flooders = await Promise.all(Array.from({ length: 10 }, () => server.open()))
    for (const socket of flooders) {
      socket.push(null, null, 'realtime:deep', 'broadcast', {
        type: 'broadcast',
        event: 'e',
        payload: JSON.parse(nested(60)),
      })
      socket.sendRaw(
        `[null,null,"realtime:deep","broadcast",{"type":"broadcast","event":"e","payload":${
          nested(100_000)
        }}]`,
      )
      socket.sendRaw(`[null,null,"phoenix","heartbeat",${nested(100_000)}]`)
    }
    // A heartbeat after the bad frames, answered on every socket: the sockets are open and the frames before it
    // have been handled.
    for (const socket of flooders) {
      socket.push(null, 'sentinel', 'phoenix', 'heartbeat', {})
      expect((await socket.reply('sentinel')).payload).toEqual({ status: 'ok', response: {} })
    }
    expect(server.gateway.snapshot().drops.malformedFrames - before).toBe(20)
    const warnings = lines.filter((l) => l.message === 'dropped malformed frame').length - warningsBefore
    expect(warnings).toBe(1)
    expect(lines.filter((l) => l.level === 'error')).toEqual([])
  })
})

describe('an upgrade whose target is not a URL', () => {
  it('is answered 400 JSON, logs no error, and the gateway keeps accepting sockets', async () => {
    const { port } = new URL(server.url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(
        Number(port),
        '127.0.0.1',
        () =>
          socket.write(
            'GET http://%zz/realtime/v1/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
              'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
          ),
      )
      let text = ''
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(answer).toContain('{"error":"The request target is not a valid URL"}')
    await server.open()
    expect(lines.filter((l) => l.level === 'error')).toEqual([])
  })
})

// Against the stack itself: what the API server answers for the gateway's routes.
describe('the REST broadcast path', () => {
  it('answers a topic that is not valid percent-encoding with 400 JSON, not a 500', async () => {
    const { apiUrl, anonKey } = testStack()
    for (const path of ['/%zz/events/x', '/t/events/%E0%A4%A', '/%/events/%']) {
      const res = await fetch(`${apiUrl}/realtime/v1/api/broadcast${path}`, {
        method: 'POST',
        headers: { apikey: anonKey, 'content-type': 'application/json' },
        body: '{}',
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({
        message: 'The topic and event in the path must be valid percent-encoded UTF-8',
      })
    }
  })
})

describe('the metrics route', () => {
  const metrics = (headers: Record<string, string> = {}) =>
    fetch(`${testStack().apiUrl}/realtime/v1/metrics`, { headers })

  it('needs the secret key: none is 401, the anon or publishable key 403', async () => {
    const { anonKey, publishableKey } = testStack()
    const none = await metrics()
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({
      message: 'The secret key is required (apikey header or Authorization: Bearer)',
    })
    expect((await metrics({ apikey: 'not-a-key' })).status).toBe(401)
    for (const key of [anonKey, publishableKey]) {
      const res = await metrics({ apikey: key })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual({ message: 'The metrics need the secret key' })
    }
  })

  it('answers the secret key and the service_role JWT', async () => {
    const { secretKey, serviceRoleKey } = testStack()
    const callers: Record<string, string>[] = [{ apikey: secretKey }, {
      authorization: `Bearer ${serviceRoleKey}`,
    }]
    for (const headers of callers) {
      const res = await metrics(headers)
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ sockets: expect.any(Number), drops: expect.any(Object) })
    }
  })
})
