// Heap per client with five scopes open, beside supabase-js alone with the same channels.
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import { type PlaterClient, type ScopeHandle, type ScopeKey } from 'plater-realtime'
import { type BenchStack } from '../../bench/stack.ts'
import { gc, plater } from './fixtures.ts'

export async function heapPerClient(stack: BenchStack, token: string, n: number, scopes: ScopeKey[]) {
  gc()
  const before = process.memoryUsage()
  const clients: PlaterClient[] = []
  const handles: ScopeHandle<unknown>[] = []
  for (let i = 0; i < n; i++) {
    const client = plater(stack.apiUrl, stack.anonKey, token)
    clients.push(client)
    for (const key of scopes) handles.push(client.open(key) as ScopeHandle<unknown>)
  }
  await Promise.all(handles.map((handle) => handle.ready()))
  for (const handle of handles) handle.getView()
  gc()
  const after = process.memoryUsage()
  const rows = handles.slice(0, 5).map((handle) => JSON.stringify(handle.getView()).length)
  await Promise.all(clients.map((client) => client.close()))
  const baseline = await heapOfBareSupabase(stack, token, n, scopes)
  return {
    clients: n,
    bareSupabaseJsHeapBytesPerClient: baseline,
    heapBytesPerClient: Math.round((after.heapUsed - before.heapUsed) / n),
    rssBytesPerClient: Math.round((after.rss - before.rss) / n),
    externalBytesPerClient: Math.round((after.external - before.external) / n),
    viewJsonBytesPerScope: rows,
  }
}

/** For comparison: the official client alone, one socket and the same five private channels joined, no data. */
export async function heapOfBareSupabase(
  stack: BenchStack,
  token: string,
  n: number,
  scopes: ScopeKey[],
): Promise<number> {
  const session = await plater(stack.apiUrl, stack.anonKey, token).session()
  const restaurant = session.restaurant.id
  gc()
  const before = process.memoryUsage().heapUsed
  const clients = []
  const joins: Promise<void>[] = []
  for (let i = 0; i < n; i++) {
    const client = createClient(stack.apiUrl, stack.anonKey, {
      accessToken: () => Promise.resolve(token),
      realtime: { transport: WebSocket as never },
    })
    clients.push(client)
    await client.realtime.setAuth()
    for (
      const topic of scopes.map((
        key,
      ) => (key.scope === 'kds' ? `kds:${restaurant}:${key.stationId}` : `${key.scope}:${restaurant}`))
    ) {
      joins.push(
        new Promise((resolve) => {
          client.channel(topic, { config: { private: true } }).on('broadcast', { event: '*' }, () => {})
            .subscribe((status) => {
              if (status === 'SUBSCRIBED') resolve()
            })
        }),
      )
    }
  }
  await Promise.all(joins)
  gc()
  const perClient = Math.round((process.memoryUsage().heapUsed - before) / n)
  for (const client of clients) {
    await client.removeAllChannels()
    client.realtime.disconnect()
  }
  return perClient
}

// ---- changes one client absorbs ----

/** Through the stack: bulk updates on the grill topic at stepped rates; the client's applied rate and lag. */
