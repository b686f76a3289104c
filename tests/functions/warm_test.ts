// POST /warm checks what it forwards before the hop: a body it would refuse never reaches the snapshot function.
// SUPABASE_URL names a closed port while each test runs, so a request that is forwarded answers 502 instead.
import assert from 'node:assert/strict'
import { handler } from '../../functions/warm/handler.ts'
import { BISTRO, call, STAFF, userToken } from './helpers.ts'

async function warmWithSnapshotUnreachable(body: unknown) {
  Deno.env.set('SUPABASE_URL', 'http://127.0.0.1:9') // discard port: nothing listens
  try {
    return await call(handler, 'POST', '/warm', { token: await userToken(STAFF.manager), body })
  } finally {
    Deno.env.delete('SUPABASE_URL')
  }
}

Deno.test('warm refuses a body that is not a JSON object, without forwarding it', async () => {
  const res = await warmWithSnapshotUnreachable('[1,')
  assert.equal(res.status, 400)
  assert.equal(res.body.code, 'invalid_json')
})

Deno.test('warm refuses a body over the limit, without forwarding it', async () => {
  const res = await warmWithSnapshotUnreachable({ restaurant: BISTRO, pad: 'x'.repeat(300 * 1024) })
  assert.equal(res.status, 413)
  assert.equal(res.body.code, 'payload_too_large')
})

Deno.test('warm forwards a good body and says so when the snapshot function cannot be reached', async () => {
  const res = await warmWithSnapshotUnreachable({ restaurant: BISTRO })
  assert.equal(res.status, 502)
  assert.equal(res.body.code, 'snapshot_unreachable')
})
