import assert from 'node:assert/strict'
import { HttpError } from '../../functions/_shared/errors.ts'
import { validate } from '../../functions/_shared/validate.ts'
import { REQUESTS, topicSchema } from '@plater/contract/requests.ts'

const placeOrderBody = REQUESTS.placeOrder.body
const seatBody = REQUESTS.seatTable.body
const versionOnlyBody = REQUESTS.startItem.body
const reasonBody = REQUESTS.voidItem.body
const courseParams = REQUESTS.fireCourse.params

const TABLE = '00000000-0000-4000-8000-0000000000aa'
const MENU = '00000000-0000-4000-8000-0000000000bb'

function issues(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof HttpError)
    assert.equal(error.status, 400)
    assert.equal(error.code, 'invalid_request')
    return (error.details as { issues: { path: string; message: string }[] }).issues
  }
  assert.fail('expected a 400')
}

Deno.test('a valid order passes', () => {
  const order = validate(placeOrderBody, {
    table_id: TABLE,
    items: [{ menu_item_id: MENU, qty: 2, modifiers: ['no onion'], course: 2, hold: true }],
    note: 'window seat',
  })
  assert.equal(order.items[0]!.qty, 2)
})

Deno.test('every bad field is named with its own message', () => {
  const found = issues(() =>
    validate(placeOrderBody, {
      table_id: 'not-a-uuid',
      items: [{ menu_item_id: MENU, qty: 0 }, { menu_item_id: MENU, qty: 1, course: 12, modifiers: 'x' }],
    })
  )
  const byPath = Object.fromEntries(found.map((issue) => [issue.path, issue.message]))
  assert.equal(byPath['table_id'], 'table_id must be a UUID')
  assert.equal(byPath['items.0.qty'], 'qty must be between 1 and 99')
  assert.equal(byPath['items.1.course'], 'course must be between 1 and 9')
  assert.equal(byPath['items.1.modifiers'], 'modifiers must be a list of strings')
})

Deno.test('the first issue is in the message, prefixed by where it was', () => {
  try {
    validate(seatBody, { party_size: 0 })
    assert.fail('expected a 400')
  } catch (error) {
    assert.ok(error instanceof HttpError)
    assert.equal(error.message, 'body party_size: party_size must be between 1 and 100')
  }
})

Deno.test('unknown fields and empty item lists are refused', () => {
  assert.deepEqual(issues(() => validate(versionOnlyBody, { expected_versoin: 2 })), [
    { path: 'expected_versoin', message: 'expected_versoin is not a known field' },
  ])
  assert.equal(
    issues(() => validate(placeOrderBody, { table_id: TABLE, items: [] }))[0]!.message,
    'items must not be empty',
  )
  assert.equal(issues(() => validate(versionOnlyBody, { expected_version: 0 }))[0]!.path, 'expected_version')
})

Deno.test('path parameters are validated too', () => {
  assert.deepEqual(validate(courseParams, { id: TABLE, course: '3' }), { id: TABLE, course: 3 })
  assert.equal(issues(() => validate(courseParams, { id: TABLE, course: 'ten' }))[0]!.path, 'course')
})

Deno.test('topics: the five kinds with a snapshot', () => {
  const r = '00000000-0000-4000-8000-00000000b001'
  const s = '00000000-0000-4000-8000-00000000b0a1'
  for (const topic of [`kds:${r}:${s}`, `expo:${r}`, `server:${r}:${s}`, `floor:${r}`, `admin:${r}`]) {
    assert.equal(topicSchema.safeParse(topic).success, true, topic)
  }
  for (const topic of [`crew:${r}`, `kds:${r}`, `floor:${r}:${s}`, 'floor:nope', '', `floor:${r}'`]) {
    assert.equal(topicSchema.safeParse(topic).success, false, topic)
  }
})

Deno.test('a NUL character in free text is a 400 naming the field, never a 500', () => {
  assert.deepEqual(
    issues(() =>
      validate(placeOrderBody, { table_id: TABLE, items: [{ menu_item_id: MENU, qty: 1 }], note: 'a\0b' })
    ),
    [{ path: 'note', message: 'note must not contain NUL characters' }],
  )
  assert.deepEqual(issues(() => validate(reasonBody, { reason: 'spilt\0' })), [
    { path: 'reason', message: 'reason must not contain NUL characters' },
  ])
  const lines = issues(() =>
    validate(placeOrderBody, {
      table_id: TABLE,
      items: [{ menu_item_id: MENU, qty: 1, notes: '\0', modifiers: ['ok', 'x\0'] }],
    })
  )
  assert.deepEqual(lines.map((issue) => issue.path).sort(), ['items.0.modifiers.1', 'items.0.notes'])
})
