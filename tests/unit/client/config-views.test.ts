import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../../client/src/config.ts'
import { emptyMaps, type Entity } from '../../../client/src/entities.ts'
import { expoView } from '../../../client/src/views/expo.ts'
import { kdsView } from '../../../client/src/views/kds.ts'
import { serverView } from '../../../client/src/views/server.ts'

const base = {
  supabaseUrl: 'http://x',
  anonKey: 'k',
  accessToken: () => Promise.resolve(null),
  fetch: (() => Promise.resolve(new Response())) as typeof fetch,
}

describe('configuration', () => {
  it('takes defaults from PLATER_REALTIME_* and the names the original system used; options win', () => {
    const env = {
      PLATER_REALTIME_MAX_CHANNELS_PER_CONNECTION: '7',
      NEXT_PUBLIC_REALTIME_HEARTBEAT_INTERVAL: '15000',
      NEXT_PUBLIC_REALTIME_CACHE_TTL: '1000',
      NEXT_PUBLIC_REALTIME_DEBOUNCE_MS: '30',
      NEXT_PUBLIC_REALTIME_CONNECTION_POOLING: 'false',
      NEXT_PUBLIC_REALTIME_MAX_CHANNELS_PER_CONNECTION: '3',
    }
    const resolved = resolveOptions(base, env)
    expect(resolved).toMatchObject({
      maxChannelsPerConnection: 7, // ours before the old name
      heartbeatIntervalMs: 15_000,
      cacheTtlMs: 1000,
      coalesceMs: 30,
      pooling: false,
    })
    expect(resolveOptions({ ...base, coalesceMs: 5, pooling: true }, env)).toMatchObject({
      coalesceMs: 5,
      pooling: true,
    })
    expect(resolveOptions(base, {})).toMatchObject({
      maxChannelsPerConnection: 100,
      heartbeatIntervalMs: 25_000,
      coalesceMs: 50,
      pooling: true,
    })
  })

  it('says which setting is wrong', () => {
    expect(() => resolveOptions(base, { PLATER_REALTIME_CACHE_TTL_MS: 'soon' })).toThrow(
      /PLATER_REALTIME_CACHE_TTL_MS must be a non-negative number, got "soon"/,
    )
    expect(() => resolveOptions({ ...base, supabaseUrl: undefined }, {})).toThrow(/supabaseUrl is required/)
    expect(
      resolveOptions({ ...base, supabaseUrl: undefined }, { NEXT_PUBLIC_SUPABASE_URL: 'http://from-env' })
        .supabaseUrl,
    ).toBe('http://from-env')
  })
})

function rows(list: Entity[]) {
  const maps = emptyMaps()
  for (const row of list) maps[row.type].set(row.id, row)
  return maps
}
const kdsItem = (
  id: string,
  order: string,
  status: string,
  fired: string | null,
  extra: Record<string, unknown> = {},
): Entity => ({
  type: 'item',
  id,
  version: 1,
  order_id: order,
  table: `T-${order}`,
  course: 1,
  name: id.startsWith('b') ? 'Burger' : 'Ribeye',
  qty: 2,
  modifiers: [],
  notes: null,
  allergens: [],
  status,
  rush: false,
  fired_at: fired,
  started_at: null,
  ready_at: null,
  ...extra,
})

describe('views', () => {
  it('kds: tickets by order, rushed then oldest first, terminal items out, all-day counts what is left to cook', () => {
    const now = Date.parse('2026-11-30T20:10:00Z')
    const view = kdsView({
      rows: rows([
        kdsItem('b1', 'o1', 'pending', '2026-11-30T20:00:00Z'),
        kdsItem('r1', 'o1', 'ready', '2026-11-30T20:00:00Z'),
        kdsItem('b2', 'o2', 'preparing', '2026-11-30T19:50:00Z'),
        kdsItem('b3', 'o3', 'pending', '2026-11-30T20:05:00Z', { rush: true }),
        kdsItem('b4', 'o4', 'held', null),
        kdsItem('b5', 'o5', 'served', '2026-11-30T19:00:00Z'),
        kdsItem('b6', 'o2', 'void', '2026-11-30T19:50:00Z'),
      ]),
      pending: new Set(['item:b2']),
      scopeId: 'grill',
      now,
    })
    expect(
      view.tickets.map((t) => [t.orderId, t.status, t.rush, t.pending, t.ageMs, t.items.map((i) => i.id)]),
    ).toEqual([
      ['o3', 'new', true, false, 5 * 60_000, ['b3']],
      ['o2', 'in_progress', false, true, 20 * 60_000, ['b2']],
      ['o1', 'in_progress', false, false, 10 * 60_000, ['b1', 'r1']],
      ['o4', 'held', false, false, 0, ['b4']],
    ])
    expect(view.allDay).toEqual([{ name: 'Burger', qty: 6 }])
  })

  it('expo: open orders with per-station progress; complete when every fired item is ready', () => {
    const order = (id: string, status: string, rush = false): Entity => ({
      type: 'order',
      id,
      version: 1,
      table_id: 't',
      table: 'T1',
      server_id: 's',
      status,
      rush,
      note: null,
      created_at: `2026-11-30T20:0${id.at(-1)}:00Z`,
    })
    const item = (id: string, orderId: string, station: string, status: string): Entity => ({
      type: 'item',
      id,
      version: 1,
      order_id: orderId,
      station_id: station,
      course: 1,
      name: 'x',
      qty: 1,
      status,
      rush: false,
      fired_at: null,
      ready_at: null,
    })
    const view = expoView({
      rows: rows([
        order('o1', 'open'),
        order('o2', 'ready'),
        order('o3', 'served'),
        order('o4', 'open', true),
        item('a', 'o1', 'grill', 'ready'),
        item('b', 'o1', 'fry', 'preparing'),
        item('c', 'o1', 'salad', 'held'),
        item('d', 'o2', 'grill', 'ready'),
        item('e', 'o2', 'grill', 'void'),
      ]),
      pending: new Set(),
      scopeId: null,
      now: 0,
    })
    expect(view.orders.map((o) => [o.id, o.complete])).toEqual([['o4', false], ['o1', false], ['o2', true]])
    expect(view.orders[1]!.stations).toEqual([
      { stationId: 'fry', total: 1, waiting: 0, preparing: 1, ready: 0, held: 0 },
      { stationId: 'grill', total: 1, waiting: 0, preparing: 0, ready: 1, held: 0 },
      { stationId: 'salad', total: 1, waiting: 0, preparing: 0, ready: 0, held: 1 },
    ])
  })

  it("server: the server's own tables only, orders with what is ready to carry", () => {
    const view = serverView({
      rows: rows([
        {
          type: 'table',
          id: 't1',
          version: 1,
          label: 'T10',
          seats: 4,
          status: 'seated',
          server_id: 'me',
          party_size: 2,
          seated_at: null,
        },
        {
          type: 'table',
          id: 't2',
          version: 1,
          label: 'T2',
          seats: 4,
          status: 'seated',
          server_id: 'me',
          party_size: 2,
          seated_at: null,
        },
        {
          type: 'table',
          id: 't3',
          version: 2,
          label: 'T3',
          seats: 4,
          status: 'free',
          server_id: null,
          party_size: null,
          seated_at: null,
        },
        {
          type: 'order',
          id: 'o1',
          version: 1,
          table_id: 't1',
          table: 'T10',
          server_id: 'me',
          status: 'ready',
          rush: false,
          note: null,
          created_at: '2026-11-30T20:00:00Z',
        },
        {
          type: 'item',
          id: 'i1',
          version: 1,
          order_id: 'o1',
          course: 1,
          name: 'x',
          qty: 1,
          modifiers: [],
          status: 'ready',
          rush: false,
        },
      ]),
      pending: new Set(['table:t2']),
      scopeId: 'me',
      now: 0,
    })
    expect(view.tables.map((t) => [t.label, t.pending])).toEqual([['T2', true], ['T10', false]])
    expect(view.orders.map((o) => [o.id, o.readyToServe])).toEqual([['o1', 1]])
  })
})
