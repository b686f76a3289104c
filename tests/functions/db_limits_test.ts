// The bounds db.ts puts on every database call, without a database: a call that never settles (a stuck connection,
// a driver that lost its socket) ends at its limit as a 503-mapped DatabaseUnavailableError.
import assert from 'node:assert/strict'
import { roundTrip } from '../../functions/_shared/db.ts'
import { DatabaseUnavailableError, fromDatabaseError } from '../../functions/_shared/errors.ts'

Deno.test('a round trip that never answers ends at its limit, as "maybe sent"', async () => {
  const never = new Promise<never>(() => {})
  const error = await roundTrip(() => never, 20).then(() => undefined, (e: unknown) => e)
  assert.ok(error instanceof DatabaseUnavailableError)
  assert.equal(error.sent, true)
  assert.match(error.message, /did not answer within 20 ms/)
  assert.equal(fromDatabaseError(error)!.status, 503)
})

Deno.test('driver faults become DatabaseUnavailableError; server answers pass through as they are', async () => {
  const fault = await roundTrip(() => Promise.reject(new TypeError("reading 'write'"))).catch((e: unknown) =>
    e
  )
  assert.ok(fault instanceof DatabaseUnavailableError)
  const answer = Object.assign(new Error('stale'), { name: 'PostgresError', code: 'PT409' })
  assert.equal(await roundTrip(() => Promise.reject(answer)).catch((e: unknown) => e), answer)
  assert.equal(await roundTrip(() => Promise.resolve(7)), 7)
})
