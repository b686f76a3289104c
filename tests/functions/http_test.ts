import assert from 'node:assert/strict'
import { HttpError } from '../../functions/_shared/errors.ts'
import { createHandler, functionPath, matchPattern, readJsonObject } from '../../functions/_shared/http.ts'
import { call } from './helpers.ts'

Deno.test('the path inside a function, with or without /functions/v1', () => {
  assert.equal(functionPath('orders', '/orders'), '')
  assert.equal(functionPath('orders', '/orders/'), '')
  assert.equal(functionPath('orders', '/orders/abc/items'), '/abc/items')
  assert.equal(functionPath('orders', '/functions/v1/orders/abc'), '/abc')
  assert.equal(functionPath('orders', '/ordersx'), undefined)
  assert.equal(functionPath('orders', '/kitchen/x'), undefined)
})

Deno.test('patterns match whole segments and capture parameters', () => {
  assert.deepEqual(matchPattern('/:id/courses/:course/fire', '/o1/courses/2/fire'), { id: 'o1', course: '2' })
  assert.equal(matchPattern('/:id/items', '/o1/items/x'), undefined)
  assert.equal(matchPattern('/:id/items', '//items'), undefined)
  assert.deepEqual(matchPattern('', ''), {})
  assert.equal(matchPattern('/:id', '/%E0%A4%A'), undefined)
})

const handler = createHandler('demo', [
  { method: 'GET', pattern: '', handler: () => Promise.resolve(new Response('{"ok":true}')) },
  { method: 'POST', pattern: '/boom', handler: () => Promise.reject(new Error('internal detail')) },
  {
    method: 'POST',
    pattern: '/teapot',
    handler: () => Promise.reject(new HttpError(418, 'teapot', 'short')),
  },
])

Deno.test('routing: 404 for unknown paths, 405 with Allow for a wrong method', async () => {
  assert.equal((await call(handler, 'GET', '/demo')).status, 200)
  const missing = await call(handler, 'GET', '/demo/nope')
  assert.equal(missing.status, 404)
  assert.equal(missing.body.code, 'not_found')
  const wrong = await call(handler, 'DELETE', '/demo')
  assert.equal(wrong.status, 405)
  assert.equal(wrong.headers.get('allow'), 'GET, OPTIONS')
})

Deno.test('a throwing route answers 500 JSON without internals; HttpErrors keep their status', async () => {
  const boom = await call(handler, 'POST', '/demo/boom')
  assert.equal(boom.status, 500)
  assert.deepEqual(boom.body, { code: 'internal_error', message: 'internal error' })
  const teapot = await call(handler, 'POST', '/demo/teapot')
  assert.equal(teapot.status, 418)
  assert.equal(teapot.body.code, 'teapot')
})

Deno.test('CORS: preflight answers 204 and every response carries the headers', async () => {
  const preflight = await call(handler, 'OPTIONS', '/demo/anything', {
    headers: { origin: 'http://app.test' },
  })
  assert.equal(preflight.status, 204)
  assert.equal(preflight.headers.get('access-control-allow-origin'), '*')
  assert.match(preflight.headers.get('access-control-allow-headers')!, /idempotency-key/)
  assert.match(preflight.headers.get('access-control-allow-headers')!, /if-match/)
  const error = await call(handler, 'GET', '/demo/nope')
  assert.equal(error.headers.get('access-control-allow-origin'), '*')
  assert.match(error.headers.get('access-control-expose-headers')!, /etag/)
})

Deno.test('JSON bodies: empty is {}, anything but an object is 400', async () => {
  const req = (body: string) => new Request('http://x/', { method: 'POST', body })
  assert.deepEqual(await readJsonObject(req('')), {})
  assert.deepEqual(await readJsonObject(req('{"a":1}')), { a: 1 })
  for (const bad of ['{', '[1]', '"s"', 'null']) {
    await assert.rejects(
      readJsonObject(req(bad)),
      (e: unknown) => e instanceof HttpError && e.code === 'invalid_json',
      bad,
    )
  }
})

Deno.test('JSON bodies: the limit counts bytes (UTF-8), not characters', async () => {
  // 100 two-byte characters: 200 bytes, over a 150-byte limit though only 100 characters long
  const body = JSON.stringify({ note: 'é'.repeat(100) })
  const req = new Request('http://x/', { method: 'POST', body })
  await assert.rejects(
    readJsonObject(req, 150),
    (e: unknown) => e instanceof HttpError && e.status === 413 && e.code === 'payload_too_large',
  )
})

Deno.test('JSON bodies: an over-long stream is refused at the limit, not read to its end', async () => {
  const chunk = new TextEncoder().encode(' '.repeat(1024))
  let pulled = 0
  let cancelled = false
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === 1024) return controller.close() // 1 MiB: far more than the 4 KiB limit
      pulled++
      controller.enqueue(chunk)
    },
    cancel() {
      cancelled = true
    },
  })
  const req = new Request('http://x/', { method: 'POST', body })
  await assert.rejects(
    readJsonObject(req, 4 * 1024),
    (e: unknown) => e instanceof HttpError && e.status === 413 && e.message === 'the body exceeds 4096 bytes',
  )
  // the fifth chunk crosses the limit; the stream may have queued one more ahead of the reader
  assert.ok(pulled <= 6, `read ${pulled} chunks`)
  assert.ok(cancelled)
})
