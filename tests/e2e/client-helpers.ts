// End-to-end helpers for the client library: the official client signed in as seeded staff, a TCP proxy of
// the test's own between the client and the stack (load/bench/client-proxy.ts: cut, block and hold its connections), waits.
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import {
  createPlaterClient,
  type PlaterClient,
  type PlaterClientOptions,
  type StoreTrace,
} from '../../client/src/index.ts'
import type { Sql } from 'postgres'
import { SEED_PASSWORD } from '../helpers/seed.ts'
import { apiTarget, CutProxy } from '../../load/bench/client-proxy.ts'
import { EMAILS, ownerDb, ownTable, testStack } from './functions-helpers.ts'

export { apiTarget, CutProxy }

export interface Staff {
  plater: PlaterClient
  userId: string
  /** Every seq applied per topic, and every snapshot loaded, in order. */
  trace: { topic: string; kind: 'snapshot' | 'apply'; seq: number; epoch: string | null }[]
}

/** Signs in with the password (as an app would) and makes a Plater client on that session's token. */
export async function staffClient(
  apiUrl: string,
  anonKey: string,
  email: string,
  options: Partial<PlaterClientOptions> & { via?: string } = {},
): Promise<Staff> {
  const auth = createClient(apiUrl, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
  const { data, error } = await auth.auth.signInWithPassword({ email, password: SEED_PASSWORD })
  if (error || !data.user) throw new Error(`sign-in of ${email} failed: ${error?.message}`)
  const trace: Staff['trace'] = []
  const onTrace: StoreTrace = (event) => trace.push(event)
  const plater = createPlaterClient(
    {
      supabaseUrl: options.via ?? apiUrl,
      anonKey,
      transport: WebSocket,
      storage: null,
      accessToken: async () => (await auth.auth.getSession()).data.session?.access_token ?? null,
      ...options,
    },
    { trace: onTrace },
  )
  return { plater, userId: data.user.id, trace }
}

/** Applied seqs of a topic must be contiguous from each snapshot on, each once: returns what is wrong (empty: fine). */
export function seqProblems(trace: Staff['trace'], topic: string): string[] {
  const problems: string[] = []
  let expected: number | null = null
  const seen = new Set<string>()
  for (const event of trace.filter((e) => e.topic === topic)) {
    if (event.kind === 'snapshot') {
      expected = event.seq + 1
      continue
    }
    const key = `${event.epoch}:${event.seq}`
    if (seen.has(key)) problems.push(`seq ${event.seq} applied twice`)
    seen.add(key)
    if (expected !== null && event.seq !== expected) {
      problems.push(`seq ${event.seq} applied where ${expected} was due`)
    }
    expected = event.seq + 1
  }
  return problems
}

export async function waitUntil<T>(
  check: () => T | undefined | false | null,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The grill cook behind a proxy of the test's own, server Ana (and expo) direct, the owner's database connection. */
export interface Scene {
  sql: Sql
  proxy: CutProxy
  cook: Staff
  server: Staff
  expo: Staff
  /** A throw-away table of the bistro, seated by Ana, with an order of these menu items. */
  order(menuItemIds: string[]): Promise<{ tableId: string; label: string; itemIds: string[] }>
  close(): Promise<void>
}

export async function scene(cookOptions: Partial<PlaterClientOptions> = {}): Promise<Scene> {
  const env = testStack()
  const sql = ownerDb()
  const proxy = await new CutProxy(apiTarget(env.apiUrl)).start()
  const [cook, server, expo] = await Promise.all([
    staffClient(env.apiUrl, env.anonKey, EMAILS.grill, { via: proxy.url, ...cookOptions }),
    staffClient(env.apiUrl, env.anonKey, EMAILS.ana),
    staffClient(env.apiUrl, env.anonKey, EMAILS.expo),
  ])
  return {
    sql,
    proxy,
    cook,
    server,
    expo,
    async order(menuItemIds) {
      const table = await ownTable(sql)
      await server.plater.mutations.seatTable({ tableId: table.id, partySize: 2 })
      const placed = await server.plater.mutations.placeOrder({
        tableId: table.id,
        items: menuItemIds.map((menuItemId) => ({ menuItemId, qty: 1 })),
      })
      return {
        tableId: table.id,
        label: table.label,
        itemIds: (placed.items as { id: string }[]).map((item) => item.id),
      }
    },
    async close() {
      proxy.releaseHttp()
      await Promise.all([cook.plater.close(), server.plater.close(), expo.plater.close()])
      await proxy.close()
      await sql.end()
    },
  }
}
