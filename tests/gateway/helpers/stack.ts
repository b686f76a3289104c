import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import postgres, { type Sql } from 'postgres'
import WebSocket from 'ws'
import { signAccessToken } from '../../../stack/testing/index.ts'
import { SEED } from '../../helpers/seed.ts'
import { testStack } from '../../helpers/stack-env.ts'

export { SEED, testStack }

let tokenClock = Infinity

/**
 * A Supabase-Auth-shaped access token for a user. Each call is stamped one second earlier than the last,
 * so two tokens for the same user always differ (the client only pushes a token that changed) and none is
 * issued in the future, which verification refuses beyond a small leeway.
 */
export function tokenFor(user: { id: string; email: string }): Promise<string> {
  tokenClock = Math.min(tokenClock - 1000, Date.now())
  return signAccessToken(testStack().jwtSecret, user, new Date(tokenClock))
}

export function openDb(): Sql {
  return postgres(testStack().dbUrl, { max: 2, onnotice: () => {} })
}

/** Runs SQL as the user, the way PostgREST would: role authenticated and their claims, in one transaction. */
export function asUser<T>(sql: Sql, userId: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    const claims = JSON.stringify({ sub: userId, role: 'authenticated' })
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`
    return fn(tx as unknown as Sql)
  }) as Promise<T>
}

export interface Client {
  readonly sb: SupabaseClient
  /** What the accessToken callback returns; change it and call `refresh()` to rotate. */
  token: string | null
  refresh(): Promise<void>
  close(): Promise<void>
}

/**
 * The official client, configured as it must be on Node 20: `ws` as transport (Node 20 has no global WebSocket,
 * and supabase-js throws inside `createClient()` without one), the token through the `accessToken` callback (a
 * manual `setAuth(jwt)` is later replaced by the anon key), and `setAuth()` awaited before any channel subscribes
 * (a join sent before it carries no token, and no access_token push follows).
 */
export async function realtimeClient(
  token: string | null,
  vsn: '1.0.0' | '2.0.0' = '2.0.0',
): Promise<Client> {
  const env = testStack()
  // supabase-js calls accessToken from its constructor, so the holder must exist before createClient.
  const holder = { token }
  const sb = createClient(env.apiUrl, env.anonKey, {
    accessToken: () => Promise.resolve(holder.token ?? env.anonKey),
    realtime: { transport: WebSocket as never, vsn },
  })
  const client: Client = {
    sb,
    get token() {
      return holder.token
    },
    set token(value) {
      holder.token = value
    },
    refresh: () => sb.realtime.setAuth(),
    async close() {
      await sb.removeAllChannels()
      sb.realtime.disconnect()
    },
  }
  await sb.realtime.setAuth()
  return client
}

export type SubscribeResult = { status: 'SUBSCRIBED' } | { status: 'CHANNEL_ERROR'; error: Error }

/** Subscribes and resolves with the first answer: SUBSCRIBED, or the join error and its message. */
export function subscribe(channel: RealtimeChannel): Promise<SubscribeResult> {
  return new Promise((resolve) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve({ status })
      else if (status === 'CHANNEL_ERROR') resolve({ status, error: error ?? new Error('CHANNEL_ERROR') })
    })
  })
}

/** Subscribes, and fails the test unless the join succeeded. */
export async function joined(channel: RealtimeChannel): Promise<RealtimeChannel> {
  const result = await subscribe(channel)
  if (result.status !== 'SUBSCRIBED') throw result.error
  return channel
}

export async function waitFor<T>(
  check: () => T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
