// The simulator's planning (stack/commands/simulate-plan.ts), without a stack: which step each entity is ready
// for, who takes it, the screens each member works from, and that nothing is proposed before its dwell time or
// for someone else's table.
import { describe, expect, it } from 'vitest'
import type { DiningTableRow, MenuItem, OrderItemRow, OrderRow } from 'plater-realtime'
import { parseRate } from '../../stack/commands/simulate.ts'
import { screensOf } from '../../stack/commands/simulate-crew.ts'
import {
  type Action,
  type CrewIds,
  eligibleActions,
  orderLines,
  pickAction,
  seededRandom,
  type ServiceView,
  StateAges,
} from '../../stack/commands/simulate-plan.ts'

const GRILL = 'station-grill'
const BAR = 'station-bar'
const crew: CrewIds = { servers: ['ana', 'ben'], expo: 'eli', cookOf: { [GRILL]: 'gus', [BAR]: 'eli' } }
const menu: MenuItem[] = [
  { id: 'm-burger', name: 'Burger', station_id: GRILL, active: true },
  { id: 'm-beer', name: 'Beer', station_id: BAR, active: true },
  { id: 'm-old', name: 'Gone', station_id: BAR, active: false },
]

function table(id: string, status: 'free' | 'seated', server: string | null = null): DiningTableRow {
  return {
    id,
    restaurant_id: 'r',
    label: id,
    seats: 4,
    status,
    server_id: server,
    party_size: server ? 2 : null,
    seated_at: null,
    version: 1,
    updated_at: '',
  }
}
function order(id: string, tableId: string, status: OrderRow['status'], version = 1): OrderRow {
  return {
    id,
    restaurant_id: 'r',
    table_id: tableId,
    server_id: 'ana',
    status,
    note: null,
    version,
    created_at: '',
    updated_at: '',
    closed_at: null,
    rush: false,
    guests: null,
  }
}
function item(
  id: string,
  orderId: string,
  station: string,
  status: OrderItemRow['status'],
  course = 1,
): OrderItemRow {
  return {
    id,
    restaurant_id: 'r',
    order_id: orderId,
    station_id: station,
    menu_item_id: 'm',
    name: id,
    qty: 1,
    modifiers: [],
    notes: null,
    allergens: [],
    course,
    status,
    fired_at: null,
    started_at: null,
    ready_at: null,
    void_reason: null,
    version: 1,
    created_at: '',
    updated_at: '',
    rush: false,
  }
}

/** The actions of `view` once every dwell time has passed (the same view seen for 100 ticks). */
function settled(view: ServiceView): Action[] {
  const ages = new StateAges()
  const random = seededRandom(1)
  eligibleActions(view, crew, menu, ages, 0, random)
  return eligibleActions(view, crew, menu, ages, 100, random)
}
const kinds = (actions: Action[]) => actions.map((a) => `${a.kind}:${a.actor}`).sort()

describe('simulate: planning', () => {
  it('proposes nothing for the kitchen before an item has waited, then its station’s cook starts it', () => {
    const view = {
      orders: [order('o1', 't1', 'open')],
      items: [item('i1', 'o1', GRILL, 'pending')],
      tables: [table('t1', 'seated', 'ana')],
    }
    const ages = new StateAges()
    const random = seededRandom(1)
    expect(eligibleActions(view, crew, menu, ages, 0, random).filter((a) => a.kind === 'start')).toEqual([])
    expect(eligibleActions(view, crew, menu, ages, 100, random)).toContainEqual({
      kind: 'start',
      actor: 'gus',
      itemId: 'i1',
    })
  })

  it('expo covers a station without a cook, serves ready orders and fires a held course once the first is done', () => {
    const view = {
      orders: [order('o1', 't1', 'ready'), order('o2', 't2', 'open')],
      items: [
        item('i1', 'o1', BAR, 'preparing'),
        item('i2', 'o2', GRILL, 'ready'),
        item('i3', 'o2', GRILL, 'held', 2),
      ],
      tables: [table('t1', 'seated', 'ana'), table('t2', 'seated', 'ben')],
    }
    const actions = settled(view)
    expect(actions).toContainEqual({ kind: 'finish', actor: 'eli', itemId: 'i1' })
    expect(actions).toContainEqual({ kind: 'serve', actor: 'eli', orderId: 'o1' })
    expect(actions).toContainEqual({ kind: 'fire', actor: 'eli', orderId: 'o2', course: 2 })
  })

  it('a cook bumps a whole ticket instead of finishing its items one by one', () => {
    const view = {
      orders: [order('o1', 't1', 'open')],
      items: [item('i1', 'o1', GRILL, 'preparing'), item('i2', 'o1', GRILL, 'preparing')],
      tables: [table('t1', 'seated', 'ana')],
    }
    expect(kinds(settled(view))).toEqual(['bump:gus'])
  })

  it('servers order for their seated tables, clear them when everything is served, and seat free ones', () => {
    const view = {
      orders: [order('o1', 't2', 'served')],
      items: [],
      tables: [
        table('t1', 'seated', 'ana'),
        table('t2', 'seated', 'ben'),
        table('t3', 'free'),
        table('t4', 'seated', 'stranger'),
      ],
    }
    const actions = settled(view)
    const placed = actions.find((a) => a.kind === 'order')
    expect(placed).toMatchObject({ actor: 'ana', tableId: 't1' })
    expect(actions).toContainEqual({ kind: 'clear', actor: 'ben', tableId: 't2' })
    expect(actions.filter((a) => a.kind === 'seat').map((a) => (a as { tableId: string }).tableId)).toEqual([
      't3',
    ])
    expect(actions.some((a) => 'tableId' in a && a.tableId === 't4'), 'someone else’s table is left alone')
      .toBe(false)
  })

  it('orders only what is on the menu, 1–4 lines, a held course at most as the last line', () => {
    const random = seededRandom(42)
    for (let n = 0; n < 200; n++) {
      const lines = orderLines(menu.filter((m) => m.active), random)
      expect(lines.length).toBeGreaterThanOrEqual(1)
      expect(lines.length).toBeLessThanOrEqual(2)
      expect(lines.every((l) => l.menuItemId !== 'm-old' && l.qty >= 1 && l.qty <= 2)).toBe(true)
      expect(lines.slice(0, -1).some((l) => l.hold)).toBe(false)
    }
  })

  it('picks by weight, and nothing from nothing', () => {
    expect(pickAction([], seededRandom(1))).toBeUndefined()
    const actions: Action[] = [
      { kind: 'seat', actor: 'ana', tableId: 't', partySize: 2 },
      { kind: 'serve', actor: 'eli', orderId: 'o' },
    ]
    const random = seededRandom(3)
    const picks = Array.from({ length: 1000 }, () => pickAction(actions, random)!.kind)
    const serves = picks.filter((k) => k === 'serve').length
    expect(serves).toBeGreaterThan(700) // weight 4 against 1: 80 % expected
    expect(serves).toBeLessThan(900)
  })

  it('opens for each member the screens that show the rows their parts act on', () => {
    const cast = { ...crew, manager: 'maya' }
    expect(screensOf(cast, 'maya')).toEqual([{ scope: 'admin' }])
    expect(screensOf(cast, 'ana')).toEqual([{ scope: 'floor' }])
    expect(screensOf(cast, 'gus')).toEqual([{ scope: 'kds', stationId: GRILL }])
    expect(screensOf(cast, 'eli'), 'expo covers the bar from its own screen').toEqual([{ scope: 'expo' }])
  })

  it('parses rates per second or per minute and refuses nonsense', () => {
    expect(parseRate('2/s')).toBe(2)
    expect(parseRate('30/min')).toBe(0.5)
    expect(parseRate('0.5')).toBe(0.5)
    for (const bad of ['0/s', 'fast', '-1', '5000/s']) expect(() => parseRate(bad)).toThrow(/--rate/)
  })
})
