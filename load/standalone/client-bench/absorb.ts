// The change rate one client absorbs: through the stack, and in process without a network.
import { type Sql } from 'postgres'
import { createPlaterClient, type RealtimeLink } from 'plater-realtime'
import { type BenchStack } from '../../bench/stack.ts'
import { BISTRO, GRILL, KDS_GRILL, plater, sleep, topicHead, until } from './fixtures.ts'

export async function absorbThroughStack(stack: BenchStack, sql: Sql, token: string, itemIds: string[]) {
  const client = plater(stack.apiUrl, stack.anonKey, token)
  const kds = client.open({ scope: 'kds', stationId: GRILL })
  await kds.ready()
  let notifications = 0
  let views = 0
  kds.subscribe(() => {
    notifications++
    kds.getView()
    views++
  })
  const grillItems = itemIds // every item is a grill burger here
  const steps = []
  for (const rate of [500, 1000, 2000, 4000, 8000]) {
    const tickMs = 20
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000))
    const startHead = await topicHead(sql, KDS_GRILL)
    const startSeq = kds.seq
    const started = performance.now()
    let cursor = 0
    let lagSamples: number[] = []
    for (let due = started; due < started + 5000; due += tickMs) {
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      const batch = Array.from({ length: perTick }, () => grillItems[cursor++ % grillItems.length]!)
      await sql`update public.order_items set status = (case status::text when 'preparing' then 'ready' else 'preparing' end)::public.item_status
                where id in ${sql(batch)}`
      if ((cursor / perTick) % 25 === 0) lagSamples.push((await topicHead(sql, KDS_GRILL)) - kds.seq)
    }
    const windowMs = performance.now() - started
    const head = await topicHead(sql, KDS_GRILL)
    const lagAtEnd = head - kds.seq
    const drainStarted = performance.now()
    await until(() => kds.seq >= head, 60_000, 'the client to drain')
    const drainMs = performance.now() - drainStarted
    const applied = kds.seq - startSeq
    steps.push({
      targetPerSecond: rate,
      publishedPerSecond: Math.round(((head - startHead) * 1000) / windowMs),
      appliedPerSecond: Math.round((applied * 1000) / (windowMs + drainMs)),
      lagAtEnd,
      maxLagSampled: Math.max(0, ...lagSamples),
      drainMs: Math.round(drainMs),
    })
    lagSamples = []
    await sleep(500)
  }
  await client.close()
  return { steps, notifications, views }
}

/** In process, no network: the client's own ceiling (store, view, coalesced notifications) fed as fast as it takes. */
export async function absorbInProcess(count: number) {
  const topic = KDS_GRILL
  let handlers: Parameters<RealtimeLink['join']>[1] | null = null
  const link: RealtimeLink = {
    join: (_topic, h) => {
      handlers = h
      queueMicrotask(() => h.status('joined'))
      return { leave: () => {}, send: async () => {}, track: async () => {} }
    },
    refreshAuth: async () => {},
    close: async () => {},
  }
  const session = {
    user_id: 'u',
    staff: { user_id: 'u', restaurant_id: BISTRO, role: 'cook', station_id: GRILL, display_name: 'bench' },
    restaurant: { id: BISTRO, name: 'b' },
    stations: [],
    scopes: [],
  }
  const answer = (body: unknown) => Promise.resolve(new Response(JSON.stringify(body), { status: 200 }))
  const fetchStub = ((input: string | URL) => {
    const url = String(input)
    if (url.includes('/session')) return answer(session)
    if (url.includes('/snapshot')) return answer({ topic, epoch: 'e', seq: 0, data: { items: [] } })
    return answer({ status: 'ok', topic, epoch: 'e', last_seq: 0, events: [], more: false })
  }) as typeof fetch
  const client = createPlaterClient(
    {
      supabaseUrl: 'http://in-process',
      anonKey: 'k',
      accessToken: () => Promise.resolve('t'),
      fetch: fetchStub,
      storage: null,
    },
    { link },
  )
  const kds = client.open({ scope: 'kds', stationId: GRILL })
  await kds.ready()
  let notifications = 0
  kds.subscribe(() => {
    notifications++
    kds.getView() // a screen re-renders from the view on every notification
  })
  const items = 200 // open items on the screen
  const started = performance.now()
  for (let seq = 1; seq <= count; seq++) {
    const id = `item-${seq % items}`
    handlers!.message('item', {
      seq,
      ts: Date.now(),
      type: 'item',
      id,
      version: Math.ceil(seq / items),
      order_id: `order-${seq % 40}`,
      table: 'T1',
      course: 1,
      name: 'Burger',
      qty: 1,
      modifiers: [],
      notes: null,
      allergens: [],
      status: seq % 2 ? 'preparing' : 'ready',
      rush: false,
      fired_at: null,
      started_at: null,
      ready_at: null,
    })
    if (seq % 500 === 0) await new Promise((resolve) => setImmediate(resolve)) // let timers (notifications) run
  }
  await sleep(300)
  const seconds = (performance.now() - started) / 1000
  const applied = kds.seq
  await client.close()
  return {
    messages: count,
    applied,
    perSecond: Math.round(applied / seconds),
    notifications,
    openItems: items,
  }
}

// ---- cut connection → live with every gap healed ----
