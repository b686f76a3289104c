import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { cpuPerRequest, type CpuSample } from '../../bench/stack-cpu.ts'
import { summarize } from '../../bench/stats.ts'
import { functionPath } from '../../k6/routes.js'
import { BISTRO, type FunctionsContext } from './context.ts'
import { countStatus } from './statuses.ts'

/** A table seated, an order of items lines placed and started: items to move back and forth. */
async function setupKitchen(ctx: FunctionsContext, items: number) {
  const sql = postgres(ctx.env.dbUrl, { max: 1, onnotice: () => {} })
  const [table] = await sql<{ id: string; label: string }[]>`
    select id, label from public.dining_tables where restaurant_id = ${BISTRO} and status = 'free'
     order by length(label) desc, label desc limit 1`
  if (!table) throw new Error('no free table in the demo bistro')
  const menu = await sql<{ id: string }[]>`
    select id from public.menu_items where restaurant_id = ${BISTRO} and active order by name`
  await sql.end()
  await ctx.mutate(ctx.tokens.server, `tables/${table.id}/seat`, { party_size: 4 })
  const placed = await ctx.mutate(ctx.tokens.server, 'orders', {
    table_id: table.id,
    items: Array.from({ length: items }, (_, i) => ({ menu_item_id: menu[i % menu.length]!.id, qty: 1 })),
  })
  const orderId: string = placed.order.id
  const itemIds: string[] = placed.items.map((item: { id: string }) => item.id)
  for (const id of itemIds) await ctx.mutate(ctx.tokens.expo, `kitchen/items/${id}/start`)
  ctx.progress.update(`setup: table ${table.label}, order ${orderId} with ${itemIds.length} started items`)
  return {
    itemIds,
    /** the manager cancels the order (its items were started), the server clears the table */
    cleanup: async () => {
      await ctx.mutate(ctx.tokens.manager, `orders/${orderId}/cancel`, { reason: 'benchmark' })
      await ctx.mutate(ctx.tokens.server, `tables/${table.id}/clear`)
    },
  }
}

/** Open loop at rate/s: request i is due at start + i/rate, sent then whatever happened before. */
export async function runMutations(
  ctx: FunctionsContext,
  rate: number,
  seconds: number,
  warmup: number,
  items: number,
) {
  const { itemIds, cleanup } = await setupKitchen(ctx, items)
  const latency: number[] = [] // from the due time (includes any queueing behind the generator)
  const service: number[] = [] // from the moment the request was handed to the socket
  const statuses: Record<string, number> = {}
  const perSecond: number[][] = [] // latency samples by second of the run, to see whether slowness is a stall
  const nextAction = itemIds.map(() => 'finish' as 'finish' | 'recall')
  const total = Math.round(rate * (warmup + seconds))
  const warmupCount = Math.round(rate * warmup)
  const intervalMs = 1000 / rate
  const inflight = new Set<Promise<void>>()
  let lateStarts = 0
  let cpuBefore: CpuSample | undefined
  const started = performance.now()
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    else if (wait < -intervalMs) lateStarts += 1
    if (i === warmupCount) cpuBefore = ctx.cpu?.sample()
    const slot = i % itemIds.length
    const action = nextAction[slot]!
    nextAction[slot] = action === 'finish' ? 'recall' : 'finish'
    const sent = performance.now()
    const p = ctx.http
      .send(
        'POST',
        functionPath(`kitchen/items/${itemIds[slot]}/${action}`),
        ctx.headers(ctx.tokens.expo, { 'idempotency-key': randomUUID() }),
        {},
      )
      .then(
        (answer) => answer.status,
        (error: Error) => `error:${error.message}`,
      )
      .then((status) => {
        const done = performance.now()
        if (i >= warmupCount) {
          const second = Math.floor((due - started) / 1000)
          ;(perSecond[second] ??= []).push(done - due)
          latency.push(done - due)
          service.push(done - sent)
          countStatus(statuses, status)
        }
      })
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
  }
  await Promise.all(inflight)
  const elapsed = (performance.now() - started) / 1000 - warmup
  const cpu = ctx.cpu && cpuBefore
    ? cpuPerRequest(cpuBefore, ctx.cpu.sample(), total - warmupCount)
    : undefined
  await cleanup()
  return {
    target_rate: rate,
    seconds: seconds,
    achieved_rate: Math.round((latency.length / elapsed) * 10) / 10,
    late_starts: lateStarts,
    statuses,
    latency: summarize(Float64Array.from(latency)),
    service_time: summarize(Float64Array.from(service)),
    cpu_ms_per_request: cpu,
    p95_ms_by_second: perSecond.filter(Boolean).map((samples) => {
      const sorted = samples.sort((a, b) => a - b)
      return Math.round(sorted[Math.floor(sorted.length * 0.95)]! * 10) / 10
    }),
  }
}
