// The demo bistro's fixtures and the helpers every client-bench measurement shares.
import { randomUUID } from 'node:crypto'
import { createClient } from '@supabase/supabase-js'
import { type Sql } from 'postgres'
import WebSocket from 'ws'
import { createPlaterClient, type PlaterClient, type ScopeKey } from 'plater-realtime'
import { type BenchStack } from '../../bench/stack.ts'

export const BISTRO = '00000000-0000-4000-8000-00000000b001'
export const GRILL = '00000000-0000-4000-8000-00000000b0a1'
export const BURGER = '00000000-0000-4000-8000-00000000b302'
export const FRIES = '00000000-0000-4000-8000-00000000b307'
export const KDS_GRILL = `kds:${BISTRO}:${GRILL}`

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  if (!collect) throw new Error('run with node --expose-gc')
  for (let i = 0; i < 3; i++) collect()
}

export async function signIn(stack: BenchStack, email: string): Promise<string> {
  const auth = createClient(stack.apiUrl, stack.anonKey, {
    auth: { persistSession: false },
    realtime: { transport: WebSocket as never },
  })
  const { data, error } = await auth.auth.signInWithPassword({ email, password: 'plater-demo' })
  if (error || !data.session) throw new Error(`sign-in of ${email}: ${error?.message}`)
  return data.session.access_token
}

export function plater(
  url: string,
  anonKey: string,
  token: string,
  extra: Partial<Parameters<typeof createPlaterClient>[0]> = {},
): PlaterClient {
  return createPlaterClient({
    supabaseUrl: url,
    anonKey,
    accessToken: () => Promise.resolve(token),
    transport: WebSocket,
    storage: null,
    ...extra,
  })
}

/** Open work for the screens: `orders` orders of a burger and fries on throw-away tables of the bistro. */
export async function openWork(
  sql: Sql,
  manager: PlaterClient,
  orders: number,
  lines = 2,
): Promise<string[]> {
  const itemIds: string[] = []
  const created = createdOrders.get(manager) ?? []
  createdOrders.set(manager, created)
  for (let i = 0; i < orders; i++) {
    const [table] = await sql<{ id: string }[]>`
      insert into public.dining_tables (restaurant_id, label, seats) values (${BISTRO}, ${`cb-${
      randomUUID().slice(0, 8)
    }`}, 4) returning id`
    await manager.mutations.seatTable({ tableId: table!.id, partySize: 2 })
    const placed = await manager.mutations.placeOrder({
      tableId: table!.id,
      items: Array.from({ length: lines }, (_, n) => ({ menuItemId: n % 2 === 0 ? BURGER : FRIES, qty: 1 })),
    })
    itemIds.push(...(placed.items as { id: string }[]).map((item) => item.id))
    created.push((placed.order as { id: string }).id)
  }
  return itemIds
}

/** Orders a run placed, cancelled at its end so every run starts from the same open work. */
export const createdOrders = new Map<PlaterClient, string[]>()
export async function cancelWork(manager: PlaterClient): Promise<void> {
  for (const orderId of createdOrders.get(manager) ?? []) {
    await manager.mutations.cancelOrder({ orderId, reason: 'client bench' }).catch(() => {})
  }
}

/** Five scopes of a manager: the first two stations' KDS, expo, floor, admin. */
export async function fiveScopes(stack: BenchStack, token: string): Promise<ScopeKey[]> {
  const client = plater(stack.apiUrl, stack.anonKey, token)
  const session = await client.session()
  await client.close()
  const [a, b] = session.stations
  return [{ scope: 'kds', stationId: a!.id }, { scope: 'kds', stationId: b!.id }, { scope: 'expo' }, {
    scope: 'floor',
  }, { scope: 'admin' }]
}

export async function topicHead(sql: Sql, topic: string): Promise<number> {
  const [row] = await sql<{ seq: string }[]>`select plater_private.topic_head(${topic}) as seq`
  return Number(row!.seq)
}

// ---- heap per client with five scopes ----
