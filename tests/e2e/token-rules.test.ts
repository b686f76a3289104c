// One token rule everywhere, through the real stack: the local auth signs ES256 and serves its JWKS, and the
// gateway (connect, join, refresh, REST broadcast), the functions and the local auth accept and refuse the same
// tokens. The rules themselves are tested with an injected clock in tests/stack/token-rules.test.ts and
// tests/functions/token_rules_test.ts; here the tokens are far enough from the edges that load cannot matter.
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose'
import WebSocket from 'ws'
import { afterAll, describe, expect, it } from 'vitest'
import { signAccessToken } from '../../stack/testing/index.ts'
import { type Client, realtimeClient, SEED, subscribe, waitFor } from '../gateway/helpers/stack.ts'
import { EMAILS, invoke, PASSWORD, testStack } from './functions-helpers.ts'

const ANA = SEED.users.ana
const anasTopic = `server:${SEED.bistro}:${ANA.id}`
const snapshotPath = `snapshot?topic=${encodeURIComponent(anasTopic)}`
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()))
})

function app(key: string): SupabaseClient {
  const supabase = createClient(testStack().apiUrl, key, {
    realtime: { transport: WebSocket as never },
    auth: { persistSession: false, autoRefreshToken: false },
  })
  cleanups.push(async () => {
    await supabase.removeAllChannels()
    supabase.realtime.disconnect()
  })
  return supabase
}

async function gatewayClient(token: string): Promise<Client> {
  const client = await realtimeClient(token)
  cleanups.push(() => client.close())
  return client
}

/** A token signed with the stack's legacy HS256 secret (or `alg`), claims as given. */
function legacyToken(claims: Record<string, unknown>, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(
    new TextEncoder().encode(testStack().jwtSecret),
  )
}

const now = () => Math.floor(Date.now() / 1000)
const anaClaims = () => ({
  role: 'authenticated',
  sub: ANA.id,
  aud: 'authenticated',
  iat: now(),
  exp: now() + 3600,
})

/** The HTTP status answered instead of a WebSocket upgrade (101 if it upgraded). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url)
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
    })
    ws.on('open', () => {
      resolve(101)
      ws.close()
    })
    ws.on('error', () => {})
  })
}

async function callFunction(token: string): Promise<{ status: number; code?: string }> {
  const { apiUrl, anonKey } = testStack()
  const res = await fetch(`${apiUrl}/functions/v1/${snapshotPath}`, {
    headers: { apikey: anonKey, authorization: `Bearer ${token}` },
  })
  const body = (await res.json()) as { code?: string }
  return { status: res.status, code: body.code }
}

describe('the local auth signs with ES256 and publishes its JWKS', () => {
  it('a seeded user signs in with supabase-js, gets an ES256 token, joins a private channel and calls a function', async () => {
    const supabase = app(testStack().anonKey)
    const { data, error } = await supabase.auth.signInWithPassword({ email: EMAILS.ana, password: PASSWORD })
    expect(error).toBeNull()
    const token = data.session!.access_token
    const header = decodeProtectedHeader(token)
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) })

    // verifiable by anyone through the JWKS, as on Supabase
    const jwks = createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', testStack().apiUrl))
    const { payload } = await jwtVerify(token, jwks, { algorithms: ['ES256'] })
    expect(payload).toMatchObject({ sub: ANA.id, role: 'authenticated' })

    await supabase.realtime.setAuth(token)
    const joined = await subscribe(supabase.channel(anasTopic, { config: { private: true } }))
    expect(joined).toEqual({ status: 'SUBSCRIBED' })
    const answer = await invoke(supabase, snapshotPath, { method: 'GET' })
    expect(answer.status).toBe(200)
  })

  it('the JWKS holds public keys only, needs no API key, and is what the tokens name', async () => {
    const res = await fetch(`${testStack().apiUrl}/auth/v1/.well-known/jwks.json`)
    expect(res.status).toBe(200)
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] }
    expect(keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) }),
    ])
    expect(keys[0]).not.toHaveProperty('d')
  })

  it('the new API keys work where Supabase takes them: sign-in, the socket, functions (as anon, not a user)', async () => {
    const { publishableKey, secretKey } = testStack()
    const supabase = app(publishableKey)
    const { data, error } = await supabase.auth.signInWithPassword({ email: EMAILS.ana, password: PASSWORD })
    expect(error).toBeNull()
    await supabase.realtime.setAuth(data.session!.access_token)
    expect(await subscribe(supabase.channel(anasTopic, { config: { private: true } }))).toEqual({
      status: 'SUBSCRIBED',
    })

    // without a session supabase-js sends the publishable key as apikey and bearer: role anon
    const anonymous = app(publishableKey)
    expect(await subscribe(anonymous.channel('lobby-public'))).toEqual({ status: 'SUBSCRIBED' })
    const refused = await subscribe(anonymous.channel(anasTopic, { config: { private: true } }))
    expect(refused.status).toBe('CHANNEL_ERROR')
    expect(await callFunction(publishableKey)).toEqual({ status: 401, code: 'user_token_required' })
    expect(await callFunction(secretKey)).toEqual({ status: 401, code: 'user_token_required' })
    expect(await callFunction('sb_publishable_notOneOfOurs')).toEqual({ status: 401, code: 'invalid_jwt' })
  })
})

describe('legacy HS256 tokens, where the secret is configured', () => {
  it('still join and call functions', async () => {
    const token = await signAccessToken(testStack().jwtSecret, ANA)
    expect(decodeProtectedHeader(token).alg).toBe('HS256')
    const client = await gatewayClient(token)
    expect(await subscribe(client.sb.channel(anasTopic, { config: { private: true } }))).toEqual({
      status: 'SUBSCRIBED',
    })
    expect((await callFunction(token)).status).toBe(200)
  })
})

describe('tokens every part refuses', () => {
  const badTokens = async () => ({
    'nbf an hour ahead': await legacyToken({ ...anaClaims(), nbf: now() + 3600, exp: now() + 7200 }),
    HS512: await legacyToken(anaClaims(), 'HS512'),
    'no exp': await legacyToken({ role: 'authenticated', sub: ANA.id }),
    'role postgres': await legacyToken({ ...anaClaims(), role: 'postgres' }),
    'sub not a UUID': await legacyToken({ ...anaClaims(), sub: 'ana' }),
  })

  it('the socket connect, the REST broadcast, the functions and the local auth', async () => {
    const { apiUrl, anonKey } = testStack()
    // in parallel: every refusal is answered after Realtime's error backoff
    await Promise.all(
      Object.entries(await badTokens()).map(async ([name, token]) => {
        expect([
          name,
          await upgradeStatus(
            `${apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${token}&vsn=2.0.0`,
          ),
        ]).toEqual([name, 401])
        const broadcast = await fetch(`${apiUrl}/realtime/v1/api/broadcast`, {
          method: 'POST',
          headers: { apikey: anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [{ topic: 'lobby', event: 'x', payload: {} }] }),
        })
        expect([name, broadcast.status]).toEqual([name, 401])
        expect([name, await callFunction(token)]).toEqual([name, { status: 401, code: 'invalid_jwt' }])
        const user = await fetch(`${apiUrl}/auth/v1/user`, {
          headers: { apikey: anonKey, authorization: `Bearer ${token}` },
        })
        expect([name, user.status]).toEqual([name, 403])
      }),
    )
  })

  it('a refresh ends the channel and a join is refused, each saying why (not "unable to connect to the database")', async () => {
    const reasons: Record<string, { code: string; message: RegExp }> = {
      'nbf an hour ahead': { code: 'InvalidJWTToken', message: /^The token is not valid yet/ },
      HS512: { code: 'JwtSignerError', message: /^Failed to generate JWT signer/ },
      'no exp': { code: 'InvalidJWTToken', message: /^Fields `role` and `exp` are required in JWT$/ },
      'role postgres': { code: 'InvalidJWTToken', message: /^The token's role "postgres" is not allowed/ },
      'sub not a UUID': { code: 'InvalidJWTToken', message: /^The token's `sub` is not a user id/ },
    }
    await Promise.all(
      Object.entries(await badTokens()).map(async ([name, token]) => {
        const { code, message } = reasons[name]!
        const client = await gatewayClient(await signAccessToken(testStack().jwtSecret, ANA))
        const system: { message: string }[] = []
        const statuses: string[] = []
        const channel = client.sb.channel(anasTopic, { config: { private: true } }).on(
          'system',
          {},
          (m) => system.push(m),
        )
        channel.subscribe((status) => statuses.push(status))
        await waitFor(() => statuses.includes('SUBSCRIBED'), 10_000, `the join (${name})`)

        client.token = token
        await client.refresh()
        await waitFor(() => statuses.includes('CLOSED'), 10_000, `the refresh to end the channel (${name})`)
        expect([name, system.map((m) => m.message)]).toEqual([name, [expect.stringMatching(message)]])

        const refused = await subscribe(client.sb.channel(`${anasTopic}`, { config: { private: true } }))
        expect(refused.status).toBe('CHANNEL_ERROR')
        const reason = refused.status === 'CHANNEL_ERROR' ? refused.error.message : ''
        expect([name, reason.startsWith(`${code}: `), reason.slice(code.length + 2)]).toEqual([
          name,
          true,
          expect.stringMatching(message),
        ])
      }),
    )
  })
})
