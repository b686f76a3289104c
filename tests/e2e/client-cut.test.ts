// A client whose connections are cut mid-stream (a TCP proxy of the test's own between it and the stack) ends
// with every seq of its topic applied exactly once, in order, and the same rows as the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_MENU } from '../helpers/seed.ts'
import { BISTRO, STATIONS } from './functions-helpers.ts'
import { type Scene, scene, seqProblems, waitUntil } from './client-helpers.ts'
import { buildTopic } from '../../contract/topics.ts'

const TOPIC = buildTopic({ kind: 'kds', restaurant: BISTRO, station: STATIONS.grill })
let s: Scene
beforeAll(async () => {
  s = await scene({
    reconnect: { baseMs: 50, maxMs: 500 },
    retry: { baseMs: 50, maxMs: 500 },
    pollAfterMs: 60_000,
  })
})
afterAll(async () => {
  await s?.close()
})

async function topicHead(): Promise<number> {
  const [row] = await s.sql<{ seq: string }[]>`select plater_private.topic_head(${TOPIC}) as seq`
  return Number(row!.seq)
}

describe('a client cut off mid-stream', () => {
  it('applies every seq exactly once and ends with the database rows', { timeout: 120_000 }, async () => {
    const { sql, proxy, cook } = s
    const ids =
      (await s.order([SEED_MENU.burger, SEED_MENU.ribeye, SEED_MENU.burger, SEED_MENU.ribeye])).itemIds
    const kds = cook.plater.open({ scope: 'kds', stationId: STATIONS.grill })
    await kds.ready()

    // 240 changes to the grill topic, with the client's connections cut ten times along the way
    let severed = 0
    for (let i = 0; i < 240; i++) {
      const id = ids[i % ids.length]!
      await sql`update public.order_items set status = (case status::text
                  when 'pending' then 'preparing' when 'preparing' then 'ready' else 'preparing' end)::public.item_status
                where id = ${id}`
      if (i % 24 === 10) severed += proxy.sever()
      // paced, so changes keep coming while the client reconnects and catches up (live ones overtake the catch-up)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(severed).toBeGreaterThan(0)

    const head = await topicHead()
    await waitUntil(() => kds.seq >= head && kds.status === 'live', `the client at seq ${head}`, 60_000)
    expect(seqProblems(cook.trace, TOPIC)).toEqual([])
    const applied = cook.trace.filter((e) => e.topic === TOPIC && e.kind === 'apply').map((e) => e.seq)
    expect(applied.at(-1)).toBeGreaterThanOrEqual(head) // other suites write to this topic too
    expect(cook.plater.health.get().reconnects).toBeGreaterThan(0)

    const rows = await sql<{ id: string; status: string; version: number }[]>`
      select id, status::text, version from public.order_items where id in ${sql(ids)}`
    const shown = new Map(
      kds.getView().tickets.flatMap((t) => t.items).map((i) => [i.id, [i.status, i.version]]),
    )
    for (const row of rows) expect(shown.get(row.id)).toEqual([row.status, row.version])
    kds.release()
  })
})
