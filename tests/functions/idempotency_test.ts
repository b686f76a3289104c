import assert from 'node:assert/strict'
import { HttpError } from '../../functions/_shared/errors.ts'
import {
  canonicalJson,
  claimError,
  claimStatement,
  decide,
  parseIdempotencyKey,
  requestFingerprint,
  storeStatement,
} from '../../functions/_shared/idempotency.ts'

const is400 = (code: string) => (error: unknown) =>
  error instanceof HttpError && error.status === 400 && error.code === code

Deno.test('Idempotency-Key: required, 1-255 visible ASCII, Structured-Field string unquoted', () => {
  assert.throws(() => parseIdempotencyKey(null), is400('idempotency_key_required'))
  assert.throws(() => parseIdempotencyKey('  '), is400('idempotency_key_required'))
  assert.equal(
    parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324'),
    '8e03978e-40d5-43e8-bc93-6894a57f9324',
  )
  assert.equal(parseIdempotencyKey('"abc"'), 'abc')
  assert.equal(parseIdempotencyKey('x'.repeat(255)), 'x'.repeat(255))
  assert.throws(() => parseIdempotencyKey('x'.repeat(256)), is400('invalid_idempotency_key'))
  assert.throws(() => parseIdempotencyKey('has space'), is400('invalid_idempotency_key'))
  assert.throws(() => parseIdempotencyKey('ümlaut'), is400('invalid_idempotency_key'))
})

Deno.test('canonical JSON ignores key order at every level', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } }),
    '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}',
  )
  assert.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}')
  assert.equal(canonicalJson('s'), '"s"')
})

Deno.test('the request fingerprint covers method, target, body and If-Match, not key order', async () => {
  const base = {
    method: 'POST',
    target: 'orders',
    body: { table_id: 't', items: [{ qty: 1, menu_item_id: 'm' }] },
    ifMatch: null,
  }
  const same = await requestFingerprint({
    ...base,
    body: { items: [{ menu_item_id: 'm', qty: 1 }], table_id: 't' },
  })
  assert.equal(await requestFingerprint(base), same)
  assert.match(same, /^[0-9a-f]{64}$/)
  const variants = [
    { ...base, method: 'PUT' },
    { ...base, target: 'orders/x/items' },
    { ...base, body: { ...base.body, note: 'n' } },
    { ...base, ifMatch: '"2"' },
  ]
  for (const variant of variants) assert.notEqual(await requestFingerprint(variant), same)
})

Deno.test('a used key replays, refuses a different request, or starts over past retention', () => {
  const row = { request_hash: 'h1', status_code: 201, response: { order: { id: 'o' } }, expired: false }
  assert.deepEqual(decide(row, 'h1', true), {
    kind: 'replay',
    outcome: { status: 201, body: { order: { id: 'o' } } },
  })
  assert.deepEqual(decide(row, 'h2', true), { kind: 'reused' })
  assert.deepEqual(decide({ ...row, expired: true }, 'h2', true), { kind: 'fresh' })
  assert.deepEqual(decide(null, 'h1', true), { kind: 'fresh' })
  assert.deepEqual(decide({ ...row, status_code: null }, 'h1', true), { kind: 'in_flight' })
})

Deno.test('a caller who is no longer active staff gets nothing replayed, nor learns about the key', () => {
  const row = { request_hash: 'h1', status_code: 201, response: { order: { id: 'o' } }, expired: false }
  for (const [existing, hash] of [[row, 'h1'], [row, 'h2'], [null, 'h1']] as const) {
    assert.deepEqual(decide(existing, hash, false), { kind: 'not_staff' })
  }
  const refused = claimError({ kind: 'not_staff' })!
  assert.equal(refused.status, 401)
  assert.equal(refused.code, 'not_staff')
})

Deno.test('in-flight and reused keys have their own errors', () => {
  const inFlight = claimError({ kind: 'in_flight' })!
  assert.equal(inFlight.status, 409)
  assert.equal(inFlight.code, 'idempotency_key_in_flight')
  assert.equal(inFlight.headers['retry-after'], '1')
  const reused = claimError({ kind: 'reused' })!
  assert.equal(reused.status, 422)
  assert.equal(reused.code, 'idempotency_key_reused')
  assert.equal(claimError({ kind: 'fresh' }), undefined)
})

Deno.test('key statements quote the key as a literal', () => {
  const sql = claimStatement('00000000-0000-4000-8000-00000000b105', "k'; drop table x; --", 'h')
  assert.match(sql, /'k''; drop table x; --'/)
  assert.match(sql, /pg_try_advisory_xact_lock/)
  const store = storeStatement('00000000-0000-4000-8000-00000000b105', 'k', {
    status: 200,
    body: { note: "it's" },
  })
  assert.match(store, /'\{"note":"it''s"\}'::jsonb/)
})
