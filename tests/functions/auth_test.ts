import assert from 'node:assert/strict'
import { sign, STAFF, userToken } from './helpers.ts'
import { authenticate, requireUser } from '../../functions/_shared/auth.ts'
import { HttpError } from '../../functions/_shared/errors.ts'

const request = (authorization?: string) =>
  new Request('http://x/', { headers: authorization === undefined ? {} : { authorization } })

const rejects401 = (code: string) => (error: unknown) =>
  error instanceof HttpError && error.status === 401 && error.code === code

Deno.test('a user token gives the caller: role authenticated and the subject', async () => {
  const caller = await authenticate(request(`Bearer ${await userToken(STAFF.ana)}`))
  assert.equal(caller.role, 'authenticated')
  assert.equal(caller.sub, STAFF.ana)
  assert.equal(requireUser(caller).sub, STAFF.ana)
})

Deno.test('API keys authenticate but are not users', async () => {
  const service = await authenticate(request(`Bearer ${await sign({ role: 'service_role' })}`))
  assert.equal(service.role, 'service_role')
  assert.equal(service.sub, undefined)
  assert.throws(() => requireUser(service), rejects401('user_token_required'))
})

Deno.test('401 for a missing, malformed, forged or expired token', async () => {
  await assert.rejects(authenticate(request()), rejects401('missing_authorization'))
  await assert.rejects(authenticate(request('Basic abc')), rejects401('invalid_authorization'))
  await assert.rejects(authenticate(request('Bearer not.a.jwt')), rejects401('invalid_jwt'))
  const forged = await sign({ sub: STAFF.ana, role: 'authenticated' }, {
    secret: 'another-secret-another-secret-0123',
  })
  await assert.rejects(authenticate(request(`Bearer ${forged}`)), rejects401('invalid_jwt'))
  const expired = await sign({ sub: STAFF.ana, role: 'authenticated' }, {
    expiresIn: Math.floor(Date.now() / 1000) - 10,
  })
  await assert.rejects(authenticate(request(`Bearer ${expired}`)), rejects401('token_expired'))
})

Deno.test('tokens may not claim a database role beyond the API roles, nor a non-user subject', async () => {
  const postgresRole = await sign({ sub: STAFF.ana, role: 'postgres' })
  await assert.rejects(authenticate(request(`Bearer ${postgresRole}`)), rejects401('invalid_jwt'))
  const oddSubject = await sign({ sub: "x'; reset role; --", role: 'authenticated' })
  await assert.rejects(authenticate(request(`Bearer ${oddSubject}`)), rejects401('invalid_jwt'))
})
