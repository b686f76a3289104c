import assert from 'node:assert/strict'
import { sign, STAFF, userToken } from './helpers.ts'
import { authenticate, requireUser, resetAuthForTests } from '../../functions/_shared/auth.ts'
import { jose } from '../../functions/_shared/deps.ts'
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

Deno.test('the new API keys, as supabase-js sends them: anon / service_role callers, never users', async () => {
  Deno.env.set('SUPABASE_PUBLISHABLE_KEYS', JSON.stringify({ default: 'sb_publishable_authTestAuthTest' }))
  Deno.env.set('SUPABASE_SECRET_KEY', 'sb_secret_authTestAuthTest')
  resetAuthForTests()
  try {
    const publishable = { apikey: 'sb_publishable_authTestAuthTest' }
    // without a session: `apikey` and `Authorization: Bearer` both carry the key
    const asBearer = await authenticate(
      new Request('http://x/', {
        headers: { ...publishable, authorization: 'Bearer sb_publishable_authTestAuthTest' },
      }),
    )
    assert.equal(asBearer.role, 'anon')
    const headerOnly = await authenticate(new Request('http://x/', { headers: publishable }))
    assert.equal(headerOnly.role, 'anon')
    const secret = await authenticate(request('Bearer sb_secret_authTestAuthTest'))
    assert.equal(secret.role, 'service_role')
    assert.throws(() => requireUser(secret), rejects401('user_token_required'))
    // with a session the bearer is the user's token, whatever the apikey
    const user = await authenticate(
      new Request('http://x/', {
        headers: { ...publishable, authorization: `Bearer ${await userToken(STAFF.ana)}` },
      }),
    )
    assert.equal(user.sub, STAFF.ana)
    await assert.rejects(authenticate(request('Bearer sb_publishable_notOurs')), rejects401('invalid_jwt'))
    await assert.rejects(
      authenticate(new Request('http://x/', { headers: { apikey: 'sb_secret_notOurs' } })),
      rejects401('invalid_jwt'),
    )
  } finally {
    Deno.env.delete('SUPABASE_PUBLISHABLE_KEYS')
    Deno.env.delete('SUPABASE_SECRET_KEY')
    resetAuthForTests()
  }
})

Deno.test('without a reachable JWKS an ES256 token is 503 auth_unavailable (retry), not 401', async () => {
  Deno.env.set('SUPABASE_URL', 'http://127.0.0.1:9') // discard port: nothing listens
  resetAuthForTests()
  try {
    const { privateKey } = await jose.generateKeyPair('ES256')
    const token = await new jose.SignJWT({ role: 'authenticated', sub: STAFF.ana })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setExpirationTime('1h')
      .sign(privateKey)
    await assert.rejects(
      authenticate(request(`Bearer ${token}`)),
      (error: unknown) =>
        error instanceof HttpError && error.status === 503 && error.code === 'auth_unavailable',
    )
  } finally {
    Deno.env.delete('SUPABASE_URL')
    resetAuthForTests()
  }
})
