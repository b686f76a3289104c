// Under a stack of this test's own (the shared one must not be reset or stopped under the other suites):
// a connected client survives `plater reset` (the topics start a new epoch, seq starts over) and ends showing
// the new data only; and it survives the whole stack restarting, with every seq applied once.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres, { type Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { announceEpoch } from '../../stack/commands/reset.ts'
import { resolveConfig, type StackConfig } from '../../stack/config.ts'
import { resetDatabase } from '../../stack/database-setup.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { type RunningStack, startStack } from '../../stack/stack.ts'
import { SEED, SEED_MENU, seedTableId } from '../helpers/seed.ts'
import { seqProblems, type Staff, staffClient, waitUntil } from './client-helpers.ts'
import { buildTopic } from '../../contract/topics.ts'

const TOPIC = buildTopic({ kind: 'kds', restaurant: SEED.bistro, station: SEED.stations.bistroGrill })
const log = createLogger('client-reset-test', 'error')
let dataDir: string
let config: StackConfig
let stack: RunningStack | null = null
let sql: Sql
let cook: Staff
let server: Staff

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'plater-client-reset-'))
  chmodSync(dataDir, 0o755) // Postgres runs as its own OS user when the tests run as root
  const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
  config = await resolveConfig({
    PLATER_DATA_DIR: dataDir,
    PLATER_API_PORT: String(apiPort),
    PLATER_DB_PORT: String(dbPort),
  })
  stack = await startStack(config, log)
  sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} })
  const fast = {
    reconnect: { baseMs: 100, maxMs: 1000 },
    retry: { baseMs: 100, maxMs: 1000 },
    pollAfterMs: 1000,
    pollIntervalMs: 300,
  }
  ;[cook, server] = await Promise.all([
    staffClient(config.apiUrl, config.anonKey, SEED.users.grill.email, fast),
    staffClient(config.apiUrl, config.anonKey, SEED.users.ana.email, fast),
  ])
}, 180_000)

afterAll(async () => {
  await Promise.all([cook?.plater.close(), server?.plater.close()])
  await sql?.end({ timeout: 1 })
  await stack?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

async function placeBurger(table: number): Promise<string> {
  await server.plater.mutations.seatTable({ tableId: seedTableId('bistro', table), partySize: 2 })
  const placed = await server.plater.mutations.placeOrder({
    tableId: seedTableId('bistro', table),
    items: [{ menuItemId: SEED_MENU.burger, qty: 1 }],
  })
  return (placed.items as { id: string }[])[0]!.id
}

describe('a connected client under a reset and a restart', () => {
  it('ends showing the new data after `plater reset`', { timeout: 120_000 }, async () => {
    const kds = cook.plater.open({ scope: 'kds', stationId: SEED.stations.bistroGrill })
    await kds.ready()
    const ids = () => kds.getView().tickets.flatMap((t) => t.items.map((i) => i.id))
    const before = await placeBurger(1)
    await waitUntil(() => ids().includes(before), 'the first order on the grill screen')
    const epochBefore = cook.trace.filter((e) => e.topic === TOPIC).at(-1)!.epoch

    await resetDatabase(config.repoRoot, config.dbUrl, log) // what `plater reset` does to a running stack
    await sql.end({ timeout: 1 })
    sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} })

    // The same seeded table, a new database: seq starts over at 1. Whether its message is streamed depends on
    // whether the gateway's new slot existed at its commit; either way the gateway shut the channel when it made
    // the slot, and the client, joined again, learns the new epoch from /catch-up.
    const after = await placeBurger(1)
    await waitUntil(
      () => ids().includes(after) && !ids().includes(before),
      'the new data, without the old',
      60_000,
    )
    expect(ids()).toEqual([after])
    const epochAfter = cook.trace.filter((e) => e.topic === TOPIC).at(-1)!.epoch
    expect(epochAfter).not.toBe(epochBefore)
    expect(seqProblems(cook.trace, TOPIC)).toEqual([])
    kds.release()
  })

  it('shows the reset database at once, with no new message on the topic, and counts the reset', {
    timeout: 120_000,
  }, async () => {
    const kds = cook.plater.open({ scope: 'kds', stationId: SEED.stations.bistroGrill })
    await kds.ready()
    const ids = () => kds.getView().tickets.flatMap((t) => t.items.map((i) => i.id))
    const before = await placeBurger(4)
    await waitUntil(() => ids().includes(before), 'the order on the grill screen')
    const resets = cook.plater.health.get().resets

    // what `plater reset` does to a running stack: re-create the database, then announce the new epoch
    await resetDatabase(config.repoRoot, config.dbUrl, log)
    await announceEpoch(config.dbUrl, log)
    await sql.end({ timeout: 1 })
    sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} })

    await waitUntil(() => !ids().includes(before), 'the old order gone from the screen', 20_000)
    expect(ids()).toEqual([]) // the seed has no open grill items
    expect(cook.plater.health.get().resets).toBeGreaterThan(resets)
    await waitUntil(() => kds.status === 'live', 'the scope live on the new data')
    expect(seqProblems(cook.trace, TOPIC)).toEqual([])
    kds.release()
  })

  it('applies every seq once across a restart of the whole stack', { timeout: 180_000 }, async () => {
    const kds = cook.plater.open({ scope: 'kds', stationId: SEED.stations.bistroGrill })
    await kds.ready()
    const first = await placeBurger(2)
    await stack!.stop()
    stack = null
    await waitUntil(() => cook.plater.health.get().status !== 'live', 'the client to notice')
    stack = await startStack(config, log)
    await sql.end({ timeout: 1 })
    sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} })
    const second = await placeBurger(3)
    await sql`update public.order_items set status = 'preparing' where id = ${first}`
    const [head] = await sql<{ seq: string }[]>`select plater_private.topic_head(${TOPIC}) as seq`
    await waitUntil(
      () => kds.seq >= Number(head!.seq) && kds.status === 'live',
      'the client caught up',
      90_000,
    )
    const shown = new Map(kds.getView().tickets.flatMap((t) => t.items).map((i) => [i.id, i.status]))
    expect(shown.get(first)).toBe('preparing')
    expect(shown.get(second)).toBe('pending')
    expect(seqProblems(cook.trace, TOPIC)).toEqual([])
    kds.release()
  })
})
