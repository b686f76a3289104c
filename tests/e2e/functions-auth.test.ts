// The local auth subset (/auth/v1) driven by the official client: what supabase-js needs from Supabase Auth.
import { decodeJwt } from 'jose'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { client, EMAILS, invoke, ownerDb, PASSWORD, testStack } from './functions-helpers.ts'

let sql: Sql
beforeAll(() => {
  sql = ownerDb()
})
afterAll(async () => {
  await sql.end()
})

describe('/auth/v1 with supabase-js', () => {
  it('signInWithPassword gives a session shaped like Supabase Auth', async () => {
    const supabase = client()
    const { data, error } = await supabase.auth.signInWithPassword({ email: EMAILS.expo, password: PASSWORD })
    expect(error).toBeNull()
    expect(data.session).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      refresh_token: expect.any(String),
    })
    expect(data.user).toMatchObject({
      id: '00000000-0000-4000-8000-00000000b102',
      email: EMAILS.expo,
      aud: 'authenticated',
      role: 'authenticated',
    })
    const claims = decodeJwt(data.session!.access_token)
    expect(claims).toMatchObject({
      sub: data.user!.id,
      role: 'authenticated',
      aud: 'authenticated',
      email: EMAILS.expo,
    })
    expect(claims.session_id).toEqual(expect.any(String))
    expect(claims.exp! - claims.iat!).toBe(3600)
    const { data: me } = await supabase.auth.getUser()
    expect(me.user?.id).toBe(data.user!.id)
  })

  it('a wrong password or an unknown email is invalid_credentials', async () => {
    const supabase = client()
    for (const [email, password] of [[EMAILS.expo, 'wrong'], ['nobody@bistro.test', PASSWORD]] as const) {
      const { data, error } = await supabase.auth.signInWithPassword({ email, password })
      expect(data.session).toBeNull()
      expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' })
    }
  })

  it('refreshSession rotates the refresh token; an old one replayed later ends the session', async () => {
    const supabase = client()
    const { data } = await supabase.auth.signInWithPassword({ email: EMAILS.fry, password: PASSWORD })
    const first = data.session!
    const { data: refreshed, error } = await supabase.auth.refreshSession()
    expect(error).toBeNull()
    expect(refreshed.session!.refresh_token).not.toBe(first.refresh_token)
    expect(decodeJwt(refreshed.session!.access_token).session_id).toBe(
      decodeJwt(first.access_token).session_id,
    )

    // a concurrent refresh that presents the old token within the reuse interval still works
    const { apiUrl, anonKey } = testStack()
    const refresh = (token: string) =>
      fetch(`${apiUrl}/auth/v1/token?grant_type=refresh_token`, {
        method: 'POST',
        headers: { apikey: anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      })
    expect((await refresh(first.refresh_token)).status).toBe(200)

    // later, the same old token is a replay: GoTrue's reuse detection revokes the session
    const sessionId = String(decodeJwt(first.access_token).session_id)
    await sql`update plater_stack_auth.refresh_tokens set revoked_at = now() - interval '1 minute'
              where session_id = ${sessionId} and revoked_at is not null`
    const replay = await refresh(first.refresh_token)
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ code: 'refresh_token_already_used' })
    const { error: gone } = await supabase.auth.getUser()
    expect(gone?.name).toBe('AuthSessionMissingError')
  })

  it('signOut ends the session; its access token no longer gets the user', async () => {
    const supabase = client()
    const { data } = await supabase.auth.signInWithPassword({ email: EMAILS.ben, password: PASSWORD })
    const token = data.session!.access_token
    expect((await supabase.auth.signOut()).error).toBeNull()
    const { apiUrl, anonKey } = testStack()
    const res = await fetch(`${apiUrl}/auth/v1/user`, {
      headers: { apikey: anonKey, authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ code: 'session_not_found' })
  })

  it('like Supabase, /auth/v1 wants an API key', async () => {
    const { apiUrl } = testStack()
    const res = await fetch(`${apiUrl}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAILS.expo, password: PASSWORD }),
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ code: 'no_api_key' })
  })

  it('the session signs functions.invoke calls', async () => {
    const supabase = client()
    await supabase.auth.signInWithPassword({ email: EMAILS.manager, password: PASSWORD })
    const answer = await invoke(supabase, `snapshot?topic=admin:00000000-0000-4000-8000-00000000b001`, {
      method: 'GET',
    })
    expect(answer.status).toBe(200)
  })
})
