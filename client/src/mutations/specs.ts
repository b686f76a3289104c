import type {
  DiningTableRow,
  EntityType,
  OrderItemRow,
  OrderRow,
  OrderSummary,
  ServerItem,
} from '../../../contract/payloads.ts'
import {
  type OrderLine as LineBody,
  type RouteBodies,
  type RouteName,
  type RouteParams,
  routePath,
} from '../../../contract/routes.ts'
import {
  canMoveItem,
  ITEM_MOVES,
  type ItemMove,
  type ItemStatus,
  LIVE_ITEM_STATUSES,
  type OrderStatus,
} from '../../../contract/status.ts'
import type { TopicKind } from '../../../contract/topics.ts'
import { type Entity, type EntityMaps, fieldOf, rowKey, withFields } from '../entities.ts'

/** One line of an order, as `placeOrder`/`addItems` take it: the contract's line with `menuItemId` for `menu_item_id`. */
export type OrderLine = Omit<LineBody, 'menu_item_id'> & { menuItemId: string }

/** The arguments of every mutation, by name. */
export interface MutationArgs {
  startItem: { itemId: string }
  finishItem: { itemId: string }
  recallItem: { itemId: string }
  voidItem: { itemId: string; reason?: string }
  bumpTicket: { orderId: string; stationId: string }
  placeOrder: { tableId: string; items: OrderLine[]; note?: string }
  addItems: { orderId: string; items: OrderLine[] }
  fireCourse: { orderId: string; course: number }
  holdCourse: { orderId: string; course: number }
  cancelOrder: { orderId: string; reason?: string }
  serveOrder: { orderId: string }
  setRush: { orderId: string; rush: boolean }
  seatTable: { tableId: string; partySize: number; serverId?: string }
  clearTable: { tableId: string }
}
export type MutationName = keyof MutationArgs

/** The route a mutation calls (the contract's route table): the mutation's own name, but for `setRush`. */
export type RouteOf<N extends MutationName> = N extends 'setRush' ? 'rushOrder' : N & RouteName

/** A route's request body as a spec builds it; the queue adds `expected_version`. */
type Body<R extends RouteName> = Omit<RouteBodies[R], 'expected_version'>

/** The whole rows, by entity type: what an optimistic change may set. */
interface Rows {
  order: OrderRow
  item: OrderItemRow
  table: DiningTableRow
}

/** What a spec may ask of the client while it works out lanes and optimistic rows. */
export interface SpecContext {
  now: number
  /** The signed-in staff member (from the session), if known. */
  staffId: string | null
  /** The order of an item, if any open topic holds the item. */
  orderOfItem(itemId: string): string | undefined
  menuItemName(menuItemId: string): string | undefined
  /** Ids this client made up for rows the server creates, mapped to the real ones once known. */
  resolveId(id: string): string
}

/** The server's answer to a mutation (`{item}`, `{order}`, `{table}`, `{order, items}` or `{items}`). */
export type MutationResult = Record<string, unknown>

/** Everything the optimistic change of one pending mutation needs. */
export interface ApplyInput<A> {
  args: A
  kind: TopicKind
  /** The topic's third part (kds: station, server: staff member). */
  scopeId: string | null
  rows: EntityMaps
  ctx: SpecContext
  /** Ids made up for the rows this mutation creates (placeOrder/addItems), stable across rebases. */
  tempIds: string[]
  /** The answer, once it came (created rows then get their real ids). */
  result: MutationResult | null
  /** Records a changed or created row as pending. */
  touch(type: EntityType, id: string): void
}

/** What a mutation does on the client: its lanes, the version it sends, its optimistic change. */
interface Behaviour<A> {
  /** Serial lanes (`rowKey`s): a mutation waits for every earlier one that shares a lane with it. */
  lanes(args: A, ctx: SpecContext, tempIds: string[]): string[]
  /** The row whose version is sent as `expected_version` (none: the route takes no version). */
  versioned: ((args: A, ctx: SpecContext) => { type: EntityType; id: string }) | null
  /** How many ids to make up for rows the mutation creates. */
  creates?(args: A): number
  /** The made-up ids and the real ones the answer gave them. */
  realIds?(args: A, tempIds: string[], result: MutationResult): [string, string][]
  apply(input: ApplyInput<A>): void
}

/** What a mutation sends: a route of the contract's table, its path parameters and its body. */
interface Call<A, R extends RouteName> {
  route: R
  params(args: A, ctx: SpecContext): RouteParams<R>
  /** Optional fields left undefined are not sent (JSON leaves them out). */
  body(args: A): Body<R>
}

export type MutationSpec<A, R extends RouteName = RouteName> = Behaviour<A> & Call<A, R>

const iso = (ms: number) => new Date(ms).toISOString()

/** No path parameters, no body, no timestamps: nothing to add. */
const nothing = () => ({})

/** The path parameters of the routes on one row (the order's real id once this client knows it). */
const itemParams = (args: { itemId: string }) => ({ id: args.itemId })
const orderParams = (args: { orderId: string }, ctx: SpecContext) => ({ id: ctx.resolveId(args.orderId) })
const courseParams = (args: { orderId: string; course: number }, ctx: SpecContext) => ({
  ...orderParams(args, ctx),
  course: args.course,
})
const tableParams = (args: { tableId: string }) => ({ id: args.tableId })

function itemLanes(itemId: string, ctx: SpecContext): string[] {
  const orderId = ctx.orderOfItem(itemId)
  // an item's changes also wait for (and hold up) whole-order changes, so a bump and a recall cannot race
  return orderId ? [rowKey('item', itemId), rowKey('order', orderId)] : [rowKey('item', itemId)]
}

/** Sets fields on one row in whatever shape the topic carries it. */
function patch<T extends EntityType>(
  input: ApplyInput<unknown>,
  type: T,
  id: string,
  fields: Partial<Rows[T]>,
): void {
  const row = input.rows[type].get(id)
  if (!row) return
  input.rows[type].set(id, withFields(input.kind, row, fields))
  input.touch(type, id)
}

function itemsWhere(
  input: ApplyInput<unknown>,
  test: (row: Entity, field: (name: string) => unknown) => boolean,
): Entity[] {
  return [...input.rows.item.values()].filter((row) => test(row, (name) => fieldOf(input.kind, row, name)))
}

/** The item's status, in whatever shape the topic carries it. */
function statusOf(input: ApplyInput<unknown>, row: Entity): ItemStatus {
  return fieldOf(input.kind, row, 'status') as ItemStatus
}

/** One item makes `move` (only from the statuses the move starts from): its status and timestamps change. */
function itemMove(
  move: ItemMove,
  stamps: (now: number) => Partial<OrderItemRow>,
): Behaviour<{ itemId: string }> {
  return {
    lanes: (args, ctx) => itemLanes(args.itemId, ctx),
    versioned: (args) => ({ type: 'item', id: args.itemId }),
    apply: (input) => {
      const row = input.rows.item.get(input.args.itemId)
      if (!row || !canMoveItem(statusOf(input, row), move)) return
      patch(input, 'item', input.args.itemId, { status: ITEM_MOVES[move].to, ...stamps(input.ctx.now) })
    },
  }
}

/**
 * A change to one order (versioned by it, serial with everything else on it). The order may be one this client
 * made up an id for: the real id is used once known.
 */
function orderChange<A extends { orderId: string }>(
  apply: (input: ApplyInput<A>, orderId: string) => void,
  creating: Pick<Behaviour<A>, 'creates' | 'realIds'> = {},
): Behaviour<A> {
  return {
    ...creating,
    lanes: (args) => [rowKey('order', args.orderId)],
    versioned: (args, ctx) => ({ type: 'order', id: ctx.resolveId(args.orderId) }),
    apply: (input) => apply(input, input.ctx.resolveId(input.args.orderId)),
  }
}

/** A change to one table (versioned by it, serial with everything else on it). */
function tableChange<A extends { tableId: string }>(
  fields: (args: A, ctx: SpecContext) => Partial<DiningTableRow>,
): Behaviour<A> {
  return {
    lanes: (args) => [rowKey('table', args.tableId)],
    versioned: (args) => ({ type: 'table', id: args.tableId }),
    apply: (input) => patch(input, 'table', input.args.tableId, fields(input.args, input.ctx)),
  }
}

/** A course of an order is fired or held: its items that can make the move make it. */
function courseMove(move: 'fire' | 'hold'): Behaviour<{ orderId: string; course: number }> {
  return orderChange((input, orderId) => {
    const rows = itemsWhere(
      input,
      (row, field) =>
        field('order_id') === orderId && field('course') === input.args.course &&
        canMoveItem(statusOf(input, row), move),
    )
    for (const row of rows) {
      patch(input, 'item', row.id, {
        status: ITEM_MOVES[move].to,
        fired_at: move === 'fire' ? iso(input.ctx.now) : null,
      })
    }
  })
}

function lineBody(line: OrderLine): LineBody {
  const { menuItemId, ...rest } = line
  return { menu_item_id: menuItemId, ...rest }
}

/** The answer's item rows matched to the lines by menu item, in the order the lines were given (none: undefined). */
function answeredLines(
  lines: OrderLine[],
  result: MutationResult | null,
): (Record<string, unknown> | undefined)[] {
  const answered = ((result?.items ?? []) as Record<string, unknown>[]).slice()
  return lines.map((line) => {
    const at = answered.findIndex((row) => row.menu_item_id === line.menuItemId)
    return at >= 0 ? answered.splice(at, 1)[0] : undefined
  })
}

/** New items on a server's (or manager's) screen: the answer's rows once it came, made-up ones before. */
function addLines(input: ApplyInput<{ items: OrderLine[] }>, orderId: string, firstTemp: number): void {
  const { kind } = input
  if (kind !== 'server' && kind !== 'admin') return
  const answered = answeredLines(input.args.items, input.result)
  input.args.items.forEach((line, index) => {
    const real = answered[index]
    const id = (real?.id as string | undefined) ?? input.tempIds[firstTemp + index]!
    if (input.rows.item.has(id)) return // the topic already has it: nothing to pretend
    const status: ItemStatus = line.hold ? 'held' : 'pending'
    const row = {
      id,
      order_id: orderId,
      station_id: real?.station_id ?? null,
      menu_item_id: line.menuItemId,
      name: (real?.name as string | undefined) ?? input.ctx.menuItemName(line.menuItemId) ?? '…',
      qty: line.qty,
      modifiers: line.modifiers ?? [],
      notes: line.notes ?? null,
      allergens: line.allergens ?? [],
      course: line.course ?? 1,
      status: real?.status ?? status,
      fired_at: real?.fired_at ?? (line.hold ? null : iso(input.ctx.now)),
      started_at: null,
      ready_at: null,
      void_reason: null,
      created_at: iso(input.ctx.now),
      updated_at: iso(input.ctx.now),
      rush: real?.rush ?? false,
      version: Number(real?.version ?? 0),
    } satisfies Partial<Record<keyof OrderItemRow, unknown>>
    input.rows.item.set(id, shaped(kind, 'item', row))
    input.touch('item', id)
  })
}

/** Made-up item ids paired with the answer's items, matched by menu item in the order of the lines. */
function lineIds(lines: OrderLine[], tempIds: string[], result: MutationResult): [string, string][] {
  const pairs: [string, string][] = []
  answeredLines(lines, result).forEach((row, index) => {
    if (row) pairs.push([tempIds[index]!, row.id as string])
  })
  return pairs
}

/** Every field of a payload but its identity, as the keys of a record: the compiler insists on each, and no other. */
type Fields<T> = Record<Exclude<keyof T, 'type' | 'id' | 'version'>, 1>

/**
 * The server audience's fields (held to the contract's types by the compiler): the fields a made-up row on a server
 * topic carries. Not the contract's PAYLOAD_FIELDS table: that whole table would not fit the browser bundle's budget.
 */
const SERVER_FIELDS: { item: Fields<ServerItem>; order: Fields<OrderSummary> } = {
  item: { order_id: 1, course: 1, name: 1, qty: 1, modifiers: 1, notes: 1, allergens: 1, status: 1, rush: 1 },
  order: {
    table_id: 1,
    table: 1,
    server_id: 1,
    server_name: 1,
    guests: 1,
    status: 1,
    rush: 1,
    note: 1,
    created_at: 1,
  },
}

/** A made-up row in the topic's shape: admin's whole row, or those of the server audience's fields it has. */
function shaped(kind: 'server' | 'admin', type: 'order' | 'item', row: Record<string, unknown>): Entity {
  const id = row.id as string
  const version = row.version as number
  if (kind === 'admin') return { type, id, version, row }
  const entity: Entity = { type, id, version }
  for (const field in SERVER_FIELDS[type]) if (field in row) entity[field] = row[field]
  return entity
}

export const MUTATIONS: { [N in MutationName]: MutationSpec<MutationArgs[N], RouteOf<N>> } = {
  startItem: {
    route: 'startItem',
    params: itemParams,
    body: nothing,
    ...itemMove('start', (now) => ({ started_at: iso(now) })),
  },
  finishItem: {
    route: 'finishItem',
    params: itemParams,
    body: nothing,
    ...itemMove('finish', (now) => ({ ready_at: iso(now) })),
  },
  recallItem: {
    route: 'recallItem',
    params: itemParams,
    body: nothing,
    ...itemMove('recall', () => ({ ready_at: null })),
  },
  voidItem: {
    route: 'voidItem',
    params: itemParams,
    body: (args) => ({ reason: args.reason }),
    ...itemMove('void', nothing),
  },

  bumpTicket: {
    route: 'bumpTicket',
    params: (args) => ({ id: args.orderId, station: args.stationId }),
    body: nothing,
    lanes: (args) => [rowKey('order', args.orderId)],
    versioned: null,
    apply: (input) => {
      const { orderId, stationId } = input.args
      if (input.kind === 'kds' && input.scopeId !== stationId) return
      // a bump finishes every item of the station's ticket that can be finished
      const rows = itemsWhere(input, (row, field) =>
        field('order_id') === orderId &&
        (input.kind === 'kds' || field('station_id') === stationId) &&
        canMoveItem(statusOf(input, row), 'finish'))
      for (const row of rows) {
        patch(input, 'item', row.id, { status: ITEM_MOVES.finish.to, ready_at: iso(input.ctx.now) })
      }
    },
  },

  placeOrder: {
    route: 'placeOrder',
    params: nothing,
    body: (args) => ({ table_id: args.tableId, items: args.items.map(lineBody), note: args.note }),
    lanes: (args, _ctx, tempIds) => [rowKey('table', args.tableId), rowKey('order', tempIds[0]!)],
    versioned: null,
    creates: (args) => 1 + args.items.length,
    realIds: (args, tempIds, result) => [
      [tempIds[0]!, (result.order as { id: string }).id],
      ...lineIds(args.items, tempIds.slice(1), result),
    ],
    apply: (input) => {
      const { kind } = input
      if (kind !== 'server' && kind !== 'admin') return
      const real = (input.result?.order ?? null) as Record<string, unknown> | null
      const orderId = (real?.id as string | undefined) ?? input.tempIds[0]!
      if (!input.rows.order.has(orderId)) {
        const table = input.rows.table.get(input.args.tableId)
        const status: OrderStatus = 'open'
        const row = {
          id: orderId,
          restaurant_id: real?.restaurant_id ?? null,
          table_id: input.args.tableId,
          table: table ? fieldOf(kind, table, 'label') ?? null : null,
          server_id: real?.server_id ?? input.ctx.staffId,
          status: real?.status ?? status,
          note: input.args.note ?? null,
          created_at: real?.created_at ?? iso(input.ctx.now),
          updated_at: iso(input.ctx.now),
          closed_at: null,
          rush: real?.rush ?? false,
          version: Number(real?.version ?? 0),
        } satisfies Partial<Record<keyof OrderRow | keyof OrderSummary, unknown>>
        input.rows.order.set(orderId, shaped(kind, 'order', row))
        input.touch('order', orderId)
      }
      addLines(input, orderId, 1)
    },
  },

  addItems: {
    route: 'addItems',
    params: orderParams,
    body: (args) => ({ items: args.items.map(lineBody) }),
    ...orderChange((input, orderId) => addLines(input, orderId, 0), {
      creates: (args) => args.items.length,
      realIds: (args, tempIds, result) => lineIds(args.items, tempIds, result),
    }),
  },

  fireCourse: { route: 'fireCourse', params: courseParams, body: nothing, ...courseMove('fire') },
  holdCourse: { route: 'holdCourse', params: courseParams, body: nothing, ...courseMove('hold') },

  cancelOrder: {
    route: 'cancelOrder',
    params: orderParams,
    body: (args) => ({ reason: args.reason }),
    ...orderChange((input, orderId) => {
      patch(input, 'order', orderId, { status: 'cancelled' })
      for (
        const row of itemsWhere(
          input,
          (row, field) => field('order_id') === orderId && canMoveItem(statusOf(input, row), 'void'),
        )
      ) {
        patch(input, 'item', row.id, { status: ITEM_MOVES.void.to })
      }
    }),
  },

  serveOrder: {
    route: 'serveOrder',
    params: orderParams,
    body: nothing,
    ...orderChange((input, orderId) => {
      const items = itemsWhere(input, (_row, field) => field('order_id') === orderId)
      for (const row of items) {
        if (canMoveItem(statusOf(input, row), 'serve')) {
          patch(input, 'item', row.id, { status: ITEM_MOVES.serve.to })
        }
      }
      // the order follows its items: served once every item not voided is
      const live = items.map((row) => statusOf(input, input.rows.item.get(row.id)!)).filter((status) =>
        status !== 'void'
      )
      if (live.length > 0 && live.every((status) => status === 'served')) {
        patch(input, 'order', orderId, { status: 'served' })
      }
    }),
  },

  setRush: {
    route: 'rushOrder',
    params: orderParams,
    body: (args) => ({ rush: args.rush }),
    ...orderChange((input, orderId) => {
      patch(input, 'order', orderId, { rush: input.args.rush })
      // the flag follows the order onto its live items (served and void ones keep theirs)
      const live = itemsWhere(
        input,
        (row, field) => field('order_id') === orderId && LIVE_ITEM_STATUSES.includes(statusOf(input, row)),
      )
      for (const row of live) patch(input, 'item', row.id, { rush: input.args.rush })
    }),
  },

  seatTable: {
    route: 'seatTable',
    params: tableParams,
    body: (args) => ({ party_size: args.partySize, server_id: args.serverId }),
    ...tableChange((args, ctx) => ({
      status: 'seated',
      party_size: args.partySize,
      server_id: args.serverId ?? ctx.staffId,
      seated_at: iso(ctx.now),
    })),
  },

  clearTable: {
    route: 'clearTable',
    params: tableParams,
    body: nothing,
    ...tableChange(() => ({ status: 'free', party_size: null, server_id: null, seated_at: null })),
  },
}

/** A pending mutation's request: its route's path (below `/functions/v1/`) and body, without `expected_version`. */
export function requestOf(
  name: MutationName,
  args: unknown,
  ctx: SpecContext,
): { path: string; body: object } {
  const spec = MUTATIONS[name] as MutationSpec<unknown>
  return { path: routePath(spec.route, spec.params(args, ctx)), body: spec.body(args) }
}

/** The rows a mutation's answer carries, with their versions: pending until the topics show them. */
export function answeredRows(
  result: MutationResult | null,
): { type: EntityType; id: string; version: number }[] {
  if (!result) return []
  const rows: { type: EntityType; id: string; version: number }[] = []
  const add = (type: EntityType, row: unknown) => {
    const r = row as { id?: unknown; version?: unknown } | null
    if (r && typeof r.id === 'string' && typeof r.version === 'number') {
      rows.push({ type, id: r.id, version: r.version })
    }
  }
  add('order', result.order)
  add('item', result.item)
  add('table', result.table)
  if (Array.isArray(result.items)) { for (const item of result.items) add('item', item) }
  return rows
}
