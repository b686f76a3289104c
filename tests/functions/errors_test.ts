import assert from 'node:assert/strict'
import {
  connectionFailure,
  DatabaseUnavailableError,
  fromDatabaseError,
  HttpError,
  isStorableOutcome,
  toHttpError,
} from '../../functions/_shared/errors.ts'

function pgError(code: string, message = 'boom', detail?: string): Error {
  const error = new Error(message) as Error & { code: string; detail?: string }
  error.name = 'PostgresError'
  error.code = code
  if (detail !== undefined) error.detail = detail
  return error
}

Deno.test('project SQLSTATEs map to their HTTP status and a stable code', () => {
  const cases: [string, number, string][] = [
    ['PT400', 400, 'invalid_input'],
    ['PT401', 401, 'not_staff'],
    ['PT403', 403, 'forbidden'],
    ['PT404', 404, 'not_found'],
    ['PT409', 409, 'version_conflict'],
    ['PT422', 422, 'illegal_transition'],
  ]
  for (const [sqlstate, status, code] of cases) {
    const http = fromDatabaseError(pgError(sqlstate, `message of ${sqlstate}`))!
    assert.equal(http.status, status, sqlstate)
    assert.equal(http.code, code, sqlstate)
    assert.equal(http.message, `message of ${sqlstate}`)
  }
})

Deno.test('a stale version answers 409, or 412 when If-Match carried it, with the current row from DETAIL', () => {
  const detail = JSON.stringify({ entity: 'item', current: { id: 'x', version: 4, status: 'ready' } })
  const conflict = fromDatabaseError(pgError('PT409', 'item x is at version 4, not 3', detail))!
  assert.equal(conflict.status, 409)
  assert.deepEqual(conflict.body, {
    code: 'version_conflict',
    message: 'item x is at version 4, not 3',
    details: { entity: 'item', current: { id: 'x', version: 4, status: 'ready' } },
  })
  const precondition = fromDatabaseError(pgError('PT409', 'stale', detail), { ifMatch: true })!
  assert.equal(precondition.status, 412)
  assert.equal(precondition.code, 'precondition_failed')
  assert.deepEqual((precondition.details as { current: unknown }).current, {
    id: 'x',
    version: 4,
    status: 'ready',
  })
})

Deno.test('a DETAIL that is not JSON is kept as text', () => {
  assert.deepEqual(fromDatabaseError(pgError('PT422', 'no', 'plain words'))!.details, {
    detail: 'plain words',
  })
})

Deno.test('transient and unknown database errors', () => {
  assert.equal(fromDatabaseError(pgError('40001'))!.status, 503)
  assert.equal(fromDatabaseError(pgError('40P01'))!.headers['retry-after'], '1')
  assert.equal(fromDatabaseError(pgError('42501'))!.status, 403)
  assert.equal(fromDatabaseError(pgError('22P02', 'invalid input syntax for type uuid'))!.status, 400)
  assert.equal(fromDatabaseError(pgError('23505')), undefined)
})

Deno.test('every connection-level failure is a 503 retry_later with Retry-After', () => {
  const failures: [unknown, boolean][] = [
    // [what the driver or server reported, whether statements may have reached the server]
    [pgError('57P03', 'the database system is starting up'), false],
    [pgError('53300', 'sorry, too many clients already'), false],
    [pgError('57P01', 'terminating connection due to administrator command'), true],
    [pgError('57P02', 'terminating connection because of crash of another server process'), true],
    [pgError('08006', 'connection failure'), true],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), false],
    [Object.assign(new Error('write CONNECT_TIMEOUT'), { code: 'CONNECT_TIMEOUT' }), false],
    [Object.assign(new Error('gone'), { code: 'CONNECTION_CLOSED' }), true],
    [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true],
    [new TypeError("Cannot read properties of null (reading 'write')"), true],
  ]
  for (const [error, sent] of failures) {
    const unavailable = connectionFailure(error)!
    assert.ok(unavailable instanceof DatabaseUnavailableError, String(error))
    assert.equal(unavailable.sent, sent, String(error))
    const http = fromDatabaseError(unavailable)!
    assert.equal(http.status, 503)
    assert.equal(http.code, 'retry_later')
    assert.equal(http.headers['retry-after'], '1')
  }
  // a server-side connection SQLSTATE is mapped even when it did not pass through db.ts
  assert.equal(fromDatabaseError(pgError('57P03'))!.code, 'retry_later')
  // the server's answers to the statements are not connection failures
  for (const code of ['PT409', '23505', '40001', '57014']) {
    assert.equal(connectionFailure(pgError(code)), undefined)
  }
  assert.equal(connectionFailure(new HttpError(400, 'x', 'y')), undefined)
})

Deno.test('toHttpError hides what it does not know behind a 500', () => {
  const http = toHttpError(new Error('secret internals: password=hunter2'))
  assert.equal(http.status, 500)
  assert.equal(http.code, 'internal_error')
  assert.doesNotMatch(JSON.stringify(http.body), /hunter2/)
  const own = new HttpError(418, 'teapot', 'short and stout')
  assert.equal(toHttpError(own), own)
})

Deno.test('only decided outcomes of a mutation are stored under its idempotency key', () => {
  for (const code of ['PT400', 'PT403', 'PT404', 'PT409', 'PT422']) {
    assert.equal(isStorableOutcome(pgError(code)), true, code)
  }
  for (const code of ['PT401', '40001', '57014', '23505']) {
    assert.equal(isStorableOutcome(pgError(code)), false, code)
  }
  assert.equal(isStorableOutcome(new Error('socket')), false)
})

Deno.test('error responses are JSON {code, message, details?}', async () => {
  const res = new HttpError(409, 'idempotency_key_in_flight', 'busy', undefined, { 'retry-after': '1' })
    .toResponse()
  assert.equal(res.status, 409)
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
  assert.equal(res.headers.get('retry-after'), '1')
  assert.deepEqual(await res.json(), { code: 'idempotency_key_in_flight', message: 'busy' })
})
