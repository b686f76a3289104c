import { describe, expect, it } from 'vitest'
import { createHealthRoute } from '../../stack/api/health.ts'
import { startApiServer } from '../../stack/api/server.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { TcpProxy } from '../gateway/helpers/tcp-proxy.ts'
import { rawExchange } from '../helpers/raw-http.ts'
import { testStack } from '../helpers/stack-env.ts'

const UPGRADE =
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'

describe('the API server of the test stack', () => {
  const { apiUrl, anonKey } = testStack()
  const port = Number(new URL(apiUrl).port)

  it('answers /health with the database up and the API process supervised', async () => {
    const response = await fetch(`${apiUrl}/health`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    expect(await response.json()).toMatchObject({
      status: 'ok',
      db: 'up',
      api: { restarts: expect.any(Number) },
    })
  })

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${apiUrl}/no/such/route`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 'not_found' })
  })

  it('does not treat a path that merely starts with a prefix as that route', async () => {
    const response = await fetch(`${apiUrl}/healthz`)
    expect(response.status).toBe(404)
  })

  it('answers request targets new URL() refuses with 400 JSON, and keeps serving', async () => {
    for (
      const line of ['GET http://a:99999/ HTTP/1.1', 'GET http://%zz/ HTTP/1.1', 'GET http://[/ HTTP/1.1']
    ) {
      const answer = await rawExchange(port, `${line}\r\nHost: localhost\r\n\r\n`)
      expect(answer.status, line).toBe(400)
      expect(JSON.parse(answer.body), line).toEqual({
        code: 'bad_request',
        message: 'malformed request target',
      })
    }
    // `//[` is a path (of no route), for plain requests, preflights and upgrades alike
    for (
      const request of [
        'GET //[ HTTP/1.1\r\nHost: localhost\r\n',
        'OPTIONS //[ HTTP/1.1\r\nHost: localhost\r\n',
        `GET //[ HTTP/1.1\r\nHost: localhost\r\n${UPGRADE}`,
      ]
    ) {
      const answer = await rawExchange(port, `${request}\r\n`)
      expect(answer.status, request).toBe(404)
      expect(JSON.parse(answer.body), request).toMatchObject({ code: 'not_found' })
    }
    const upgrade = await rawExchange(
      port,
      `GET http://%zz/realtime/v1/websocket HTTP/1.1\r\nHost: localhost\r\n${UPGRADE}\r\n`,
    )
    expect(upgrade.status).toBe(400)
    expect(JSON.parse(upgrade.body)).toMatchObject({ code: 'bad_request' })
    expect((await fetch(`${apiUrl}/health`)).status).toBe(200)
  })

  it('answers a malformed Host with 400 JSON before any route (a function never sees it)', async () => {
    for (const host of ['[', 'a b', 'x:99999', 'a/b', 'a@b']) {
      const answer = await rawExchange(
        port,
        `GET /functions/v1/session HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${anonKey}\r\n\r\n`,
      )
      expect(answer.status, host).toBe(400)
      expect(JSON.parse(answer.body), host).toEqual({ code: 'bad_request', message: 'malformed Host header' })
    }
    // a well-formed one still reaches the function (which wants a signed-in user)
    const fine = await rawExchange(
      port,
      `GET /functions/v1/session HTTP/1.1\r\nHost: localhost:1\r\nAuthorization: Bearer ${anonKey}\r\n\r\n`,
    )
    expect(fine.status).toBe(401)
  })

  it("answers what Node's parser refuses in JSON too: a garbled request line, headers over the limit", async () => {
    const garbled = await rawExchange(port, 'GARBAGE\r\n\r\n')
    expect(garbled.status).toBe(400)
    expect(JSON.parse(garbled.body)).toEqual({ code: 'bad_request', message: 'malformed request' })
    const huge = await rawExchange(
      port,
      `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(70_000)}\r\n\r\n`,
    )
    expect(huge.status).toBe(431)
    expect(JSON.parse(huge.body)).toMatchObject({ code: 'headers_too_large' })
    expect(huge.headers['x-content-type-options']).toBe('nosniff')
  })

  it('sends nosniff and a Referrer-Policy on every answer: its own, a route’s, a function’s', async () => {
    for (
      const path of [
        '/health',
        '/no/such/route',
        '/functions/v1/session',
        '/auth/v1/health',
        '/realtime/v1/metrics',
        '/',
      ]
    ) {
      const response = await fetch(`${apiUrl}${path}`)
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer')
    }
  })
})

describe('a route that fails', () => {
  it('answers 500 JSON, sync throw or rejection, plain request or upgrade, and the server keeps serving', async () => {
    const [apiPort] = await findFreePorts('127.0.0.1', 1)
    const lines: string[] = []
    const log = { ...createLogger('test', 'error'), error: (message: string) => lines.push(message) }
    const server = await startApiServer({
      host: '127.0.0.1',
      port: apiPort!,
      log,
      routes: [
        {
          prefix: '/throws',
          handleRequest: () => {
            throw new Error('sync')
          },
          handleUpgrade: () => {
            throw new Error('upgrade')
          },
        },
        { prefix: '/rejects', handleRequest: () => Promise.reject(new Error('async')) },
        createHealthRoute(testStack().dbUrl),
      ],
    })
    try {
      for (const path of ['/throws', '/rejects']) {
        const response = await fetch(`${server.url}${path}`)
        expect(response.status, path).toBe(500)
        expect(await response.json()).toEqual({ code: 'internal_error', message: 'internal error' })
      }
      const upgrade = await rawExchange(apiPort!, `GET /throws HTTP/1.1\r\nHost: localhost\r\n${UPGRADE}\r\n`)
      expect(upgrade.status).toBe(500)
      expect(JSON.parse(upgrade.body)).toMatchObject({ code: 'internal_error' })
      expect((await fetch(`${server.url}/health`)).status).toBe(200)
      expect(lines).toEqual([
        'unhandled error in /throws',
        'unhandled error in /rejects',
        'unhandled error in the upgrade of /throws',
      ])
    } finally {
      await server.close()
    }
  })
})

describe('/health without a database', () => {
  async function healthServer(dbUrl: string) {
    const [apiPort] = await findFreePorts('127.0.0.1', 1)
    return startApiServer({
      host: '127.0.0.1',
      port: apiPort!,
      routes: [createHealthRoute(dbUrl)],
      log: createLogger('test', 'error'),
    })
  }

  it('still answers, reporting db down', async () => {
    const [closedPort] = await findFreePorts('127.0.0.1', 1)
    const server = await healthServer(`postgresql://postgres:postgres@127.0.0.1:${closedPort}/postgres`)
    try {
      const response = await fetch(`${server.url}/health`)
      expect(await response.json()).toEqual({ status: 'ok', db: 'down' })
    } finally {
      await server.close()
    }
  })

  it('answers while the database has stopped answering (a stalled connection), reporting it down, then up again', async () => {
    const db = new URL(testStack().dbUrl)
    const proxy = await TcpProxy.start(db.hostname, Number(db.port))
    db.port = String(proxy.port)
    const server = await healthServer(db.toString())
    try {
      expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ db: 'up' })
      proxy.stallAfter(0) // from now on nothing the server sends arrives; the stall lasts until cut()
      const stalled = await Promise.all([fetch(`${server.url}/health`), fetch(`${server.url}/health`)])
      for (const response of stalled) expect(await response.json()).toMatchObject({ db: 'down' })
      proxy.cut()
      expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ db: 'up' })
    } finally {
      await server.close()
      await proxy.close()
    }
  })
})
