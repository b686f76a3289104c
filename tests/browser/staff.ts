import { randomUUID } from 'node:crypto'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import postgres from 'postgres'
import WebSocket from 'ws'
import { testStack } from '../helpers/stack-env.ts'
import { type BrowserRestaurant, PASSWORD } from './fixture.ts'

/** Staff of the browser tests' restaurant acting through the functions from Node, beside the pages. */
export async function staff(email: string): Promise<SupabaseClient> {
  const { apiUrl, anonKey } = testStack()
  const supabase = createClient(apiUrl, anonKey, {
    realtime: { transport: WebSocket as never },
    auth: { persistSession: false, autoRefreshToken: false },
  })
  const { error } = await supabase.auth.signInWithPassword({ email, password: PASSWORD })
  if (error) throw error
  return supabase
}

// deno-lint-ignore no-explicit-any -- the JSON answer of any route; each test reads the fields it asserts
type FunctionAnswer = any

/** One mutation (a fresh Idempotency-Key); its answer, or an error with the function's. */
export async function call(
  supabase: SupabaseClient,
  path: string,
  body: Record<string, unknown>,
): Promise<FunctionAnswer> {
  const { data, error } = await supabase.functions.invoke(path, {
    body,
    headers: { 'Idempotency-Key': randomUUID() },
  })
  if (error) throw new Error(`${path}: ${await (error as { context?: Response }).context?.text()}`)
  return data
}

/** Seats a table of the restaurant (unless already seated) and orders one dish there as its server; answers the item's id. */
export async function orderOn(
  restaurant: BrowserRestaurant,
  label: string,
  dish: string,
  { seat = true } = {},
): Promise<string> {
  const sql = postgres(testStack().dbUrl, { max: 1, onnotice: () => {} })
  try {
    const [table] = await sql<{ id: string }[]>`
      select id from public.dining_tables where restaurant_id = ${restaurant.id} and label = ${label}`
    const [item] = await sql<{ id: string }[]>`
      select id from public.menu_items where restaurant_id = ${restaurant.id} and name = ${dish}`
    const server = await staff(restaurant.emails.server)
    if (seat) await call(server, `tables/${table!.id}/seat`, { party_size: 2 })
    const placed = await call(server, 'orders', {
      table_id: table!.id,
      items: [{ menu_item_id: item!.id, qty: 1 }],
    })
    return placed.items[0].id
  } finally {
    await sql.end()
  }
}
