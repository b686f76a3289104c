// From a cut connection to live again with every gap healed, for n clients at once.
import { type Sql } from 'postgres'
import { type PlaterClient, type ScopeHandle } from 'plater-realtime'
import { type BenchStack } from '../../bench/stack.ts'
import { summarize } from '../../bench/stats.ts'
import { apiTarget, CutProxy } from '../../bench/client-proxy.ts'
import { GRILL, KDS_GRILL, plater, sleep, topicHead, until } from './fixtures.ts'

export async function healAfterCut(stack: BenchStack, sql: Sql, token: string, n: number, itemIds: string[]) {
  const proxy = await new CutProxy(apiTarget(stack.apiUrl)).start()
  const clients: PlaterClient[] = []
  const handles: ScopeHandle<unknown>[] = []
  for (let i = 0; i < n; i++) {
    const client = plater(proxy.url, stack.anonKey, token)
    clients.push(client)
    handles.push(client.open({ scope: 'kds', stationId: GRILL }) as ScopeHandle<unknown>)
  }
  const joinStarted = performance.now()
  await Promise.all(handles.map((handle) => handle.ready()))
  const firstJoinMs = performance.now() - joinStarted
  await sleep(6000) // the join-rate window (5 s) the first joins used is clear again
  const done = new Float64Array(n).fill(Number.NaN)
  const cutAt = performance.now()
  const severed = proxy.sever()
  // changes nobody could receive: every client now has a gap to heal
  for (let i = 0; i < 20; i++) {
    await sql`update public.order_items set status = (case status::text when 'preparing' then 'ready' else 'preparing' end)::public.item_status
              where id = ${itemIds[i % itemIds.length]!}`
  }
  const head = await topicHead(sql, KDS_GRILL)
  await until(
    () => {
      const now = performance.now()
      let pending = 0
      handles.forEach((handle, i) => {
        if (!Number.isNaN(done[i]!)) return
        if (
          handle.status === 'live' && handle.seq >= head && clients[i]!.health.get().status === 'live'
        ) done[i] = now - cutAt
        else pending++
      })
      return pending === 0
    },
    180_000,
    `${n} clients to heal`,
  )
  const reconnects = clients.reduce((sum, client) => sum + client.health.get().reconnects, 0)
  await Promise.all(clients.map((client) => client.close()))
  await proxy.close()
  const summary = summarize(done)
  return {
    clients: n,
    severedConnections: severed,
    firstJoinMs: Math.round(firstJoinMs),
    reconnects,
    healMs: summary,
  }
}
