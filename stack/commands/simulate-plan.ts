// What happens next in a simulated service, decided from what the restaurant looks like now (the manager's
// `admin` view) — pure, so it is tested without a stack. One action per tick; an entity becomes eligible
// for its next step only after it has stayed in its current state for a few ticks (different per entity), so the
// pace follows `--rate` and the floor, the kitchen and expo move at once instead of one order at a time.
import type {
  DiningTableRow,
  MenuItem,
  MutationArgs,
  MutationName,
  OrderItemRow,
  OrderLine,
  OrderRow,
} from 'plater-realtime'
import { canMoveItem, COOKING_ITEM_STATUSES, LIVE_ITEM_STATUSES } from '../../contract/status.ts'

/** The rows the plan reads: the manager's `admin` view (its live orders, their items, every table). */
export interface ServiceView {
  orders: OrderRow[]
  items: OrderItemRow[]
  tables: DiningTableRow[]
}

/** Who does what, by user id: the restaurant's servers, expo, and a cook (or stand-in) per station. */
export interface CrewIds {
  servers: string[]
  expo: string
  cookOf: Record<string, string>
}

/** The client mutation each step of the service is. */
export const MUTATION_OF = {
  seat: 'seatTable',
  order: 'placeOrder',
  start: 'startItem',
  finish: 'finishItem',
  bump: 'bumpTicket',
  fire: 'fireCourse',
  serve: 'serveOrder',
  rush: 'setRush',
  clear: 'clearTable',
} as const satisfies Record<string, MutationName>

export type ActionKind = keyof typeof MUTATION_OF

/**
 * One step of the service: who takes it (a user id) and its mutation's arguments. No versions: the actor's
 * client sends the version its own screen shows, as a person's would.
 */
export type Action = {
  [K in ActionKind]: { kind: K; actor: string } & MutationArgs[(typeof MUTATION_OF)[K]]
}[ActionKind]

/** Ticks an entity waits in a state before its next step: [min, max], picked per entity. */
const DWELL: Record<ActionKind, [number, number]> = {
  seat: [0, 0],
  order: [1, 4],
  start: [1, 4],
  finish: [4, 14],
  bump: [4, 14],
  fire: [2, 6],
  serve: [1, 4],
  clear: [4, 12],
  rush: [25, 60],
}

/** How much more likely one eligible action is than another: work in progress first, new guests last. */
const WEIGHT: Record<ActionKind, number> = {
  serve: 4,
  finish: 3,
  bump: 3,
  start: 3,
  fire: 3,
  clear: 3,
  order: 2,
  rush: 1,
  seat: 1,
}

/** At most this share of the tables is seated at once, so there are always tables turning over. */
const MAX_SEATED_SHARE = 0.8
/** The share of orders expo rushes once they have waited long. */
const RUSH_SHARE = 0.15

const MODIFIERS = ['no onions', 'extra sauce', 'well done', 'on the side', 'no salt']
const ALLERGENS = ['nuts', 'gluten', 'dairy', 'shellfish']

export type Random = () => number

/** A small seeded generator (mulberry32), so a run can be repeated with `--seed`. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A stable number in [0, 1) for an entity, so its dwell times do not change from tick to tick. */
function hashUnit(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return (h >>> 0) / 4294967296
}

function dwell(kind: ActionKind, id: string): number {
  const [min, max] = DWELL[kind]
  return min + Math.floor(hashUnit(`${kind}:${id}`) * (max - min + 1))
}

/** When each entity entered its current state, in ticks (the snapshot has no clock the simulator trusts). */
export class StateAges {
  readonly #since = new Map<string, { state: string; tick: number }>()

  /** Ticks `id` has been in `state` as of `tick` (0 the first time it is seen so). */
  age(id: string, state: string, tick: number): number {
    const seen = this.#since.get(id)
    if (seen?.state === state) return tick - seen.tick
    this.#since.set(id, { state, tick })
    return 0
  }

  /** Forgets entities no longer in view (closed orders, finished items); keys are `<step>:<entity id>[:…]`. */
  keepOnly(entityIds: Set<string>): void {
    for (const key of this.#since.keys()) if (!entityIds.has(key.split(':')[1]!)) this.#since.delete(key)
  }
}

/** Every action the restaurant is ready for at `tick`, before the random pick. */
export function eligibleActions(
  view: ServiceView,
  crew: CrewIds,
  menu: MenuItem[],
  ages: StateAges,
  tick: number,
  random: Random,
): Action[] {
  const actions: Action[] = []
  const ready = (kind: ActionKind, id: string, state: string) =>
    ages.age(`${kind}:${id}`, state, tick) >= dwell(kind, id)
  const bumping = new Set<string>() // tickets a cook will bump whole: their items are not finished one by one
  const itemsOf = new Map<string, OrderItemRow[]>()
  for (const item of view.items) itemsOf.set(item.order_id, [...(itemsOf.get(item.order_id) ?? []), item])

  for (const order of view.orders) {
    const items = itemsOf.get(order.id) ?? []
    if (order.status === 'ready' && ready('serve', order.id, `${order.version}`)) {
      actions.push({ kind: 'serve', actor: crew.expo, orderId: order.id })
    }
    const held = items.filter((i) => canMoveItem(i.status, 'fire'))
    const cooking = items.some((i) => COOKING_ITEM_STATUSES.includes(i.status))
    if (held.length > 0 && !cooking && ready('fire', order.id, `${order.version}:${held.length}`)) {
      const course = Math.min(...held.map((i) => i.course))
      actions.push({ kind: 'fire', actor: crew.expo, orderId: order.id, course })
    }
    if (
      order.status === 'open' && !order.rush && hashUnit(`rush:${order.id}`) < RUSH_SHARE &&
      ready('rush', order.id, 'open')
    ) {
      actions.push({ kind: 'rush', actor: crew.expo, orderId: order.id, rush: true })
    }
    // a cook bumps the whole ticket when every item of their station on this order is cooking
    const byStation = new Map<string, OrderItemRow[]>()
    for (const item of items.filter((i) => LIVE_ITEM_STATUSES.includes(i.status) && i.status !== 'ready')) {
      byStation.set(item.station_id, [...(byStation.get(item.station_id) ?? []), item])
    }
    for (const [stationId, ticket] of byStation) {
      const cook = crew.cookOf[stationId]
      if (!cook || ticket.length < 2 || !ticket.every((i) => i.status === 'preparing')) continue
      if (ready('bump', `${order.id}:${stationId}`, ticket.map((i) => i.version).join(','))) {
        actions.push({ kind: 'bump', actor: cook, orderId: order.id, stationId })
        bumping.add(`${order.id}:${stationId}`)
      }
    }
  }

  for (const item of view.items) {
    const cook = crew.cookOf[item.station_id]
    if (!cook) continue
    if (canMoveItem(item.status, 'start') && ready('start', item.id, `${item.version}`)) {
      actions.push({ kind: 'start', actor: cook, itemId: item.id })
    } else if (
      item.status === 'preparing' && !bumping.has(`${item.order_id}:${item.station_id}`) &&
      ready('finish', item.id, `${item.version}`)
    ) {
      actions.push({ kind: 'finish', actor: cook, itemId: item.id })
    }
  }

  const liveOrdersAt = new Map<string, OrderRow[]>()
  for (const order of view.orders) {
    liveOrdersAt.set(order.table_id, [...(liveOrdersAt.get(order.table_id) ?? []), order])
  }
  const seated = view.tables.filter((t) => t.status === 'seated').length
  const available = menu.filter((m) => m.active)
  for (const table of view.tables) {
    const orders = liveOrdersAt.get(table.id) ?? []
    if (table.status === 'free') {
      if (crew.servers.length > 0 && seated < view.tables.length * MAX_SEATED_SHARE) {
        actions.push({
          kind: 'seat',
          actor: crew.servers[Math.floor(random() * crew.servers.length)]!,
          tableId: table.id,
          partySize: 1 + Math.floor(random() * Math.min(table.seats, 6)),
        })
      }
      continue
    }
    if (table.server_id === null || !crew.servers.includes(table.server_id)) continue // someone else's table
    if (orders.length === 0 && available.length > 0 && ready('order', table.id, `${table.version}`)) {
      actions.push({
        kind: 'order',
        actor: table.server_id,
        tableId: table.id,
        items: orderLines(available, random),
      })
    } else if (
      orders.length > 0 && orders.every((o) => o.status === 'served') &&
      ready('clear', table.id, orders.map((o) => o.version).join(','))
    ) {
      actions.push({ kind: 'clear', actor: table.server_id, tableId: table.id })
    }
  }
  return actions
}

/** One of the eligible actions, weighted; undefined when the restaurant waits this tick. */
export function pickAction(actions: Action[], random: Random): Action | undefined {
  const total = actions.reduce((sum, a) => sum + WEIGHT[a.kind], 0)
  let at = random() * total
  for (const action of actions) {
    at -= WEIGHT[action.kind]
    if (at < 0) return action
  }
  return undefined
}

/** A party's order: 1–4 dishes from the menu, now and then a modifier, an allergy or a second course on hold. */
export function orderLines(menu: MenuItem[], random: Random): OrderLine[] {
  const count = 1 + Math.floor(random() * Math.min(4, menu.length))
  const picked = [...menu].sort(() => random() - 0.5).slice(0, count)
  const secondCourse = picked.length > 1 && random() < 0.2
  return picked.map((item, index) => {
    const line: OrderLine = { menuItemId: item.id, qty: random() < 0.8 ? 1 : 2 }
    if (random() < 0.15) line.modifiers = [MODIFIERS[Math.floor(random() * MODIFIERS.length)]!]
    if (random() < 0.1) line.allergens = [ALLERGENS[Math.floor(random() * ALLERGENS.length)]!]
    if (random() < 0.05) line.notes = 'birthday: candle on the plate'
    if (secondCourse && index === picked.length - 1) Object.assign(line, { course: 2, hold: true })
    return line
  })
}
