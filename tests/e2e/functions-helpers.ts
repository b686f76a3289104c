import { randomUUID } from 'node:crypto'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import postgres, { type Sql } from 'postgres'
import WebSocket from 'ws'
import { SEED, SEED_PASSWORD } from '../helpers/seed.ts'
import { testStack } from '../helpers/stack-env.ts'

export { testStack }

export const BISTRO = SEED.bistro
export const STATIONS = { grill: SEED.stations.bistroGrill, fry: SEED.stations.bistroFry } as const
export const EMAILS = {
  manager: SEED.users.manager.email,
  expo: SEED.users.expo.email,
  grill: SEED.users.grill.email,
  fry: SEED.users.fry.email,
  ana: SEED.users.ana.email,
  ben: SEED.users.ben.email,
  dinerManager: SEED.users.dinerManager.email,
} as const
export const PASSWORD = SEED_PASSWORD

/** The official client as an app would make it (Node 20 needs a WebSocket implementation for realtime). */
export function client(): SupabaseClient {
  const env = testStack()
  return createClient(env.apiUrl, env.anonKey, {
    realtime: { transport: WebSocket as never },
    auth: { persistSession: false, autoRefreshToken: false },
  })
}

/** A client signed in with `signInWithPassword`, as a staff member. */
export async function signedIn(email: string): Promise<SupabaseClient & { userId: string }> {
  const supabase = client()
  const { data, error } = await supabase.auth.signInWithPassword({ email, password: PASSWORD })
  if (error || !data.user) throw new Error(`sign-in of ${email} failed: ${error?.message}`)
  return Object.assign(supabase, { userId: data.user.id })
}

// deno-lint-ignore no-explicit-any -- the JSON answer of any route unless a test names its type
export interface Answer<T = any> {
  status: number
  body: T
  headers: Headers
}

/** `functions.invoke`, with the status, body and headers of error answers too (they come as error.context). */
// deno-lint-ignore no-explicit-any -- as `Answer`
export async function invoke<T = any>(
  supabase: SupabaseClient,
  path: string,
  options: {
    method?: 'GET' | 'POST'
    body?: unknown
    headers?: Record<string, string>
    key?: string | false
  } = {},
): Promise<Answer<T>> {
  const method = options.method ?? 'POST'
  const headers: Record<string, string> = { ...options.headers }
  if (method === 'POST' && options.key !== false) headers['Idempotency-Key'] = options.key ?? randomUUID()
  const { data, error, response } = await supabase.functions.invoke(path, {
    method,
    headers,
    body: method === 'POST' ? ((options.body ?? {}) as Record<string, unknown>) : undefined,
  })
  const res = (response ?? (error as { context?: Response } | null)?.context) as Response | undefined
  if (!res) throw error ?? new Error('no response')
  if (!error) return { status: res.status, body: data as T, headers: res.headers }
  const text = await res.text()
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T, headers: res.headers }
}

export function ownerDb(): Sql {
  return postgres(testStack().dbUrl, { max: 2, onnotice: () => {} })
}

/** A dining table of the demo bistro that only this test uses (seed tables are shared by every suite). */
export async function ownTable(sql: Sql, seats = 4): Promise<{ id: string; label: string }> {
  const label = `fn-${randomUUID().slice(0, 8)}`
  const [row] = await sql<{ id: string }[]>`
    insert into public.dining_tables (restaurant_id, label, seats) values (${BISTRO}, ${label}, ${seats}) returning id`
  return { id: row!.id, label }
}

export async function menuItem(sql: Sql, name: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    select id from public.menu_items where restaurant_id = ${BISTRO} and name = ${name}`
  if (!row) throw new Error(`no menu item ${name}`)
  return row.id
}

/** Events published about one entity (its id is in every payload), on any topic. Other suites publish too. */
export async function eventsAbout(sql: Sql, id: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from plater_private.topic_log where payload ->> 'id' = ${id}`
  return row!.n
}
