import { type Entity, type EntityMaps, fieldOf, withFields } from '../entities.ts';
import type { EntityType, ItemStatus, TopicKind } from '../payloads.ts';

/** One line of an order, as `placeOrder`/`addItems` take it. */
export interface OrderLine {
  menuItemId: string;
  qty: number;
  modifiers?: string[];
  allergens?: string[];
  notes?: string;
  course?: number;
  hold?: boolean;
}

/** The arguments of every mutation, by name. */
export interface MutationArgs {
  startItem: { itemId: string };
  finishItem: { itemId: string };
  recallItem: { itemId: string };
  voidItem: { itemId: string; reason?: string };
  bumpTicket: { orderId: string; stationId: string };
  placeOrder: { tableId: string; items: OrderLine[]; note?: string };
  addItems: { orderId: string; items: OrderLine[] };
  fireCourse: { orderId: string; course: number };
  holdCourse: { orderId: string; course: number };
  cancelOrder: { orderId: string; reason?: string };
  serveOrder: { orderId: string };
  setRush: { orderId: string; rush: boolean };
  seatTable: { tableId: string; partySize: number; serverId?: string };
  clearTable: { tableId: string };
}
export type MutationName = keyof MutationArgs;

/** What a spec may ask of the client while it works out lanes and optimistic rows. */
export interface SpecContext {
  now: number;
  /** The signed-in staff member (from the session), if known. */
  staffId: string | null;
  /** The order of an item, if any open topic holds the item. */
  orderOfItem(itemId: string): string | undefined;
  menuItemName(menuItemId: string): string | undefined;
  /** Ids this client made up for rows the server creates, mapped to the real ones once known. */
  resolveId(id: string): string;
}

/** The server's answer to a mutation (`{item}`, `{order}`, `{table}`, `{order, items}` or `{items}`). */
export type MutationResult = Record<string, unknown>;

/** Everything the optimistic change of one pending mutation needs. */
export interface ApplyInput<A> {
  args: A;
  kind: TopicKind;
  /** The topic's third part (kds: station, server: staff member). */
  scopeId: string | null;
  rows: EntityMaps;
  ctx: SpecContext;
  /** Ids made up for the rows this mutation creates (placeOrder/addItems), stable across rebases. */
  tempIds: string[];
  /** The answer, once it came (created rows then get their real ids). */
  result: MutationResult | null;
  /** Records a changed or created row as pending. */
  touch(type: EntityType, id: string): void;
}

export interface MutationSpec<A> {
  /** Serial lanes: a mutation waits for every earlier one that shares a lane with it. */
  lanes(args: A, ctx: SpecContext, tempIds: string[]): string[];
  /** The row whose version is sent as `expected_version` (none: the route takes no version). */
  versioned: ((args: A, ctx: SpecContext) => { type: EntityType; id: string }) | null;
  request(args: A, ctx: SpecContext): { path: string; body: Record<string, unknown> };
  /** How many ids to make up for rows the mutation creates. */
  creates?(args: A): number;
  /** The made-up ids and the real ones the answer gave them. */
  realIds?(args: A, tempIds: string[], result: MutationResult): [string, string][];
  apply(input: ApplyInput<A>): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

function itemLanes(itemId: string, ctx: SpecContext): string[] {
  const orderId = ctx.orderOfItem(itemId);
  // an item's changes also wait for (and hold up) whole-order changes, so a bump and a recall cannot race
  return orderId ? [`item:${itemId}`, `order:${orderId}`] : [`item:${itemId}`];
}

/** Sets fields on one row in whatever shape the topic carries it. */
function patch(input: ApplyInput<unknown>, type: EntityType, id: string, fields: Record<string, unknown>): void {
  const row = input.rows[type].get(id);
  if (!row) return;
  input.rows[type].set(id, withFields(input.kind, row, fields));
  input.touch(type, id);
}

function itemsWhere(input: ApplyInput<unknown>, test: (row: Entity, field: (name: string) => unknown) => boolean): Entity[] {
  return [...input.rows.item.values()].filter((row) => test(row, (name) => fieldOf(input.kind, row, name)));
}

function itemMove(
  path: string,
  from: readonly ItemStatus[] | null,
  fields: (now: number) => Record<string, unknown>,
): MutationSpec<{ itemId: string; reason?: string }> {
  return {
    lanes: (args, ctx) => itemLanes(args.itemId, ctx),
    versioned: (args) => ({ type: 'item', id: args.itemId }),
    request: (args) => ({ path: `kitchen/items/${args.itemId}/${path}`, body: defined({ reason: args.reason }) }),
    apply: (input) => {
      const row = input.rows.item.get(input.args.itemId);
      if (!row) return;
      if (from && !from.includes(fieldOf(input.kind, row, 'status') as ItemStatus)) return;
      patch(input, 'item', input.args.itemId, fields(input.ctx.now));
    },
  };
}

/** Only the fields given: an optional argument left out is not sent at all. */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * A change to one order (versioned by it, serial with everything else on it) at `orders/<id>/<action>`. The order
 * may be one this client made up an id for: the real id is used once known.
 */
function orderChange<A extends { orderId: string }>(
  action: (args: A) => string,
  body: (args: A) => Record<string, unknown>,
  apply: (input: ApplyInput<A>, orderId: string) => void,
  creating: Pick<MutationSpec<A>, 'creates' | 'realIds'> = {},
): MutationSpec<A> {
  return {
    ...creating,
    lanes: (args) => [`order:${args.orderId}`],
    versioned: (args, ctx) => ({ type: 'order', id: ctx.resolveId(args.orderId) }),
    request: (args, ctx) => ({ path: `orders/${ctx.resolveId(args.orderId)}/${action(args)}`, body: body(args) }),
    apply: (input) => apply(input, input.ctx.resolveId(input.args.orderId)),
  };
}

/** A change to one table (versioned by it, serial with everything else on it) at `tables/<id>/<action>`. */
function tableChange<A extends { tableId: string }>(
  action: string,
  body: (args: A) => Record<string, unknown>,
  fields: (args: A, ctx: SpecContext) => Record<string, unknown>,
): MutationSpec<A> {
  return {
    lanes: (args) => [`table:${args.tableId}`],
    versioned: (args) => ({ type: 'table', id: args.tableId }),
    request: (args) => ({ path: `tables/${args.tableId}/${action}`, body: body(args) }),
    apply: (input) => patch(input, 'table', input.args.tableId, fields(input.args, input.ctx)),
  };
}

function courseMove(action: 'fire' | 'hold'): MutationSpec<{ orderId: string; course: number }> {
  const [from, to] = action === 'fire' ? ['held', 'pending'] : ['pending', 'held'];
  return orderChange((args) => `courses/${args.course}/${action}`, () => ({}), (input, orderId) => {
    const rows = itemsWhere(input, (_row, field) =>
      field('order_id') === orderId && field('course') === input.args.course && field('status') === from);
    for (const row of rows) {
      patch(input, 'item', row.id, { status: to, fired_at: to === 'pending' ? iso(input.ctx.now) : null });
    }
  });
}

function lineBody(line: OrderLine): Record<string, unknown> {
  const body: Record<string, unknown> = { menu_item_id: line.menuItemId, qty: line.qty };
  if (line.modifiers) body.modifiers = line.modifiers;
  if (line.allergens) body.allergens = line.allergens;
  return { ...body, ...defined({ notes: line.notes, course: line.course, hold: line.hold }) };
}

/** The answer's item rows matched to the lines by menu item, in the order the lines were given (none: undefined). */
function answeredLines(lines: OrderLine[], result: MutationResult | null): (Record<string, unknown> | undefined)[] {
  const answered = ((result?.items ?? []) as Record<string, unknown>[]).slice();
  return lines.map((line) => {
    const at = answered.findIndex((row) => row.menu_item_id === line.menuItemId);
    return at >= 0 ? answered.splice(at, 1)[0] : undefined;
  });
}

/** New items on a server's (or manager's) screen: the answer's rows once it came, made-up ones before. */
function addLines(input: ApplyInput<{ items: OrderLine[] }>, orderId: string, firstTemp: number): void {
  if (input.kind !== 'server' && input.kind !== 'admin') return;
  const answered = answeredLines(input.args.items, input.result);
  input.args.items.forEach((line, index) => {
    const real = answered[index];
    const id = (real?.id as string | undefined) ?? input.tempIds[firstTemp + index]!;
    if (input.rows.item.has(id)) return; // the topic already has it: nothing to pretend
    const row = {
      id, order_id: orderId, station_id: real?.station_id ?? null, menu_item_id: line.menuItemId,
      name: (real?.name as string | undefined) ?? input.ctx.menuItemName(line.menuItemId) ?? '…',
      qty: line.qty, modifiers: line.modifiers ?? [], notes: line.notes ?? null, allergens: line.allergens ?? [],
      course: line.course ?? 1, status: real?.status ?? (line.hold ? 'held' : 'pending'),
      fired_at: real?.fired_at ?? (line.hold ? null : iso(input.ctx.now)), started_at: null, ready_at: null,
      void_reason: null, created_at: iso(input.ctx.now), updated_at: iso(input.ctx.now),
      rush: real?.rush ?? false, version: Number(real?.version ?? 0),
    };
    input.rows.item.set(id, shaped(input.kind, 'item', row));
    input.touch('item', id);
  });
}

/** Made-up item ids paired with the answer's items, matched by menu item in the order of the lines. */
function lineIds(lines: OrderLine[], tempIds: string[], result: MutationResult): [string, string][] {
  const pairs: [string, string][] = [];
  answeredLines(lines, result).forEach((row, index) => {
    if (row) pairs.push([tempIds[index]!, row.id as string]);
  });
  return pairs;
}

/** A made-up row in the topic's shape (server: the audience's fields; admin: the whole row). */
function shaped(kind: TopicKind, type: EntityType, row: Record<string, unknown>): Entity {
  const id = row.id as string;
  const version = row.version as number;
  if (kind === 'admin') return { type, id, version, row };
  const fields: Record<TopicKind, Partial<Record<EntityType, string[]>>> = {
    server: {
      item: ['order_id', 'course', 'name', 'qty', 'modifiers', 'notes', 'allergens', 'status', 'rush'],
      order: ['table_id', 'table', 'server_id', 'status', 'rush', 'note', 'created_at'],
    },
    kds: {},
    expo: {},
    floor: {},
    admin: {},
  };
  const entity: Entity = { type, id, version };
  for (const field of fields[kind][type] ?? []) entity[field] = row[field];
  return entity;
}

export const MUTATIONS: { [N in MutationName]: MutationSpec<MutationArgs[N]> } = {
  startItem: itemMove('start', ['pending'], (now) => ({ status: 'preparing', started_at: iso(now) })),
  finishItem: itemMove('finish', ['pending', 'preparing'], (now) => ({ status: 'ready', ready_at: iso(now) })),
  recallItem: itemMove('recall', ['ready'], () => ({ status: 'preparing', ready_at: null })),
  voidItem: itemMove('void', ['held', 'pending', 'preparing', 'ready'], () => ({ status: 'void' })),

  bumpTicket: {
    lanes: (args) => [`order:${args.orderId}`],
    versioned: null,
    request: (args) => ({ path: `kitchen/orders/${args.orderId}/stations/${args.stationId}/bump`, body: {} }),
    apply: (input) => {
      const { orderId, stationId } = input.args;
      if (input.kind === 'kds' && input.scopeId !== stationId) return;
      const rows = itemsWhere(input, (_row, field) =>
        field('order_id') === orderId &&
        (input.kind === 'kds' || field('station_id') === stationId) &&
        (field('status') === 'pending' || field('status') === 'preparing'));
      for (const row of rows) patch(input, 'item', row.id, { status: 'ready', ready_at: iso(input.ctx.now) });
    },
  },

  placeOrder: {
    lanes: (args, _ctx, tempIds) => [`table:${args.tableId}`, `order:${tempIds[0]}`],
    versioned: null,
    creates: (args) => 1 + args.items.length,
    realIds: (args, tempIds, result) => [
      [tempIds[0]!, (result.order as { id: string }).id],
      ...lineIds(args.items, tempIds.slice(1), result),
    ],
    request: (args) => ({ path: 'orders', body: defined({ table_id: args.tableId, items: args.items.map(lineBody), note: args.note }) }),
    apply: (input) => {
      if (input.kind !== 'server' && input.kind !== 'admin') return;
      const real = (input.result?.order ?? null) as Record<string, unknown> | null;
      const orderId = (real?.id as string | undefined) ?? input.tempIds[0]!;
      if (!input.rows.order.has(orderId)) {
        const table = input.rows.table.get(input.args.tableId);
        const row = {
          id: orderId, restaurant_id: real?.restaurant_id ?? null, table_id: input.args.tableId,
          table: table ? fieldOf(input.kind, table, 'label') ?? null : null,
          server_id: real?.server_id ?? input.ctx.staffId, status: real?.status ?? 'open', note: input.args.note ?? null,
          created_at: real?.created_at ?? iso(input.ctx.now), updated_at: iso(input.ctx.now), closed_at: null,
          rush: real?.rush ?? false,
          version: Number(real?.version ?? 0),
        };
        input.rows.order.set(orderId, shaped(input.kind, 'order', row));
        input.touch('order', orderId);
      }
      addLines(input, orderId, 1);
    },
  },

  addItems: orderChange(() => 'items', (args) => ({ items: args.items.map(lineBody) }), (input, orderId) => addLines(input, orderId, 0), {
    creates: (args) => args.items.length,
    realIds: (args, tempIds, result) => lineIds(args.items, tempIds, result),
  }),

  fireCourse: courseMove('fire'),
  holdCourse: courseMove('hold'),

  cancelOrder: orderChange(() => 'cancel', (args) => defined({ reason: args.reason }), (input, orderId) => {
    patch(input, 'order', orderId, { status: 'cancelled' });
    for (const row of itemsWhere(input, (_row, field) => field('order_id') === orderId && field('status') !== 'void')) {
      patch(input, 'item', row.id, { status: 'void' });
    }
  }),

  serveOrder: orderChange(() => 'serve', () => ({}), (input, orderId) => {
    const items = itemsWhere(input, (_row, field) => field('order_id') === orderId);
    for (const row of items) if (fieldOf(input.kind, row, 'status') === 'ready') patch(input, 'item', row.id, { status: 'served' });
    const live = items.map((row) => fieldOf(input.kind, input.rows.item.get(row.id)!, 'status')).filter((s) => s !== 'void');
    if (live.length > 0 && live.every((status) => status === 'served')) patch(input, 'order', orderId, { status: 'served' });
  }),

  setRush: orderChange(() => 'rush', (args) => ({ rush: args.rush }), (input, orderId) => {
    patch(input, 'order', orderId, { rush: input.args.rush });
    // the flag follows the order onto its live items (served and void ones keep theirs)
    const live = itemsWhere(input, (_row, field) =>
      field('order_id') === orderId && field('status') !== 'served' && field('status') !== 'void');
    for (const row of live) patch(input, 'item', row.id, { rush: input.args.rush });
  }),

  seatTable: tableChange(
    'seat',
    (args) => defined({ party_size: args.partySize, server_id: args.serverId }),
    (args, ctx) => ({ status: 'seated', party_size: args.partySize, server_id: args.serverId ?? ctx.staffId, seated_at: iso(ctx.now) }),
  ),

  clearTable: tableChange('clear', () => ({}), () => ({ status: 'free', party_size: null, server_id: null, seated_at: null })),
};

/** The rows a mutation's answer carries, with their versions: pending until the topics show them. */
export function answeredRows(result: MutationResult | null): { type: EntityType; id: string; version: number }[] {
  if (!result) return [];
  const rows: { type: EntityType; id: string; version: number }[] = [];
  const add = (type: EntityType, row: unknown) => {
    const r = row as { id?: unknown; version?: unknown } | null;
    if (r && typeof r.id === 'string' && typeof r.version === 'number') rows.push({ type, id: r.id, version: r.version });
  };
  add('order', result.order);
  add('item', result.item);
  add('table', result.table);
  if (Array.isArray(result.items)) for (const item of result.items) add('item', item);
  return rows;
}
