// What the database publishes: the envelope, each audience's payload, snapshots and catch-up, and the
// bootstrap reads. Field lists are also exported as values (`PAYLOAD_FIELDS`, checked against the types at compile
// time): docs/topics.md's audience table is generated from them (`npm run contract:docs`), the pgTAP suite checks
// the SQL payload builders against them (stack/testing/contract-fields.ts), and tests/contract/payloads.test.ts
// compares them with what the database really sends.
import type { ItemStatus, OrderStatus, StaffRole, TableStatus } from './status.ts'
import type { TopicKind } from './topics.ts'

export type EntityType = 'order' | 'item' | 'table'
export const ENTITY_TYPES = ['order', 'item', 'table'] as const satisfies readonly EntityType[]

/** A uuid. */
export type Id = string
/** An ISO-8601 timestamp as Postgres' JSON renders timestamptz, e.g. `2026-11-30T20:41:07.123456+00:00`. */
export type Timestamp = string

/** Every payload's identity: which entity, and its version after the change (apply only if newer). */
export interface EntityFields<T extends EntityType> {
  type: T
  id: Id
  version: number
}

/** What the database adds to a payload when it publishes it (not present in snapshot rows). */
export interface EnvelopeFields {
  /** Contiguous per topic within an epoch, starting at 1; commit order. */
  seq: number
  /** Server time of the change, epoch ms. */
  ts: number
}

/** A published message: the payload as it appears in snapshots, plus the envelope. */
export type Published<P> = P & EnvelopeFields

// ---- audience payloads (snapshot rows have exactly these fields; broadcasts add `seq` and `ts`) ----

/** An item as its server sees it; the kds and expo payloads build on the same fields. */
export interface ServerItem extends EntityFields<'item'> {
  order_id: Id
  course: number
  name: string
  qty: number
  modifiers: string[]
  notes: string | null
  allergens: string[]
  status: ItemStatus
  /** The order is rushed: show it first (live items follow their order's flag). */
  rush: boolean
}

/** An item as its station's cooks see it: what the server sees, plus who it is for and its kitchen times. */
export interface KdsItem extends ServerItem {
  /** The table's label, e.g. "T4". */
  table: string | null
  /** The display name of the order's server (never their id: cooks see no staff ids). */
  server_name: string | null
  /** The party the order was placed for (the table's party size then). */
  guests: number | null
  fired_at: Timestamp | null
  started_at: Timestamp | null
  ready_at: Timestamp | null
}

/** An item as expo sees it: no modifiers or notes, but which station cooks it. */
export interface ExpoItem extends Omit<ServerItem, 'modifiers' | 'notes' | 'allergens'> {
  station_id: Id
  fired_at: Timestamp | null
  ready_at: Timestamp | null
}

/** An order as expo and its server see it. */
export interface OrderSummary extends EntityFields<'order'> {
  table_id: Id
  /** The table's label. */
  table: string | null
  server_id: Id
  /** The server's display name. */
  server_name: string | null
  /** The party the order was placed for (the table's party size then). */
  guests: number | null
  status: OrderStatus
  /** Marked rush by expo or a manager (`POST /orders/:id/rush`): sorts first on every screen. */
  rush: boolean
  note: string | null
  created_at: Timestamp
}

/** A dining table's state, in the floor's payload and in the manager's whole row alike. */
export interface TableState {
  label: string
  seats: number
  status: TableStatus
  server_id: Id | null
  party_size: number | null
  seated_at: Timestamp | null
}

/** A table as the floor and its server see it. */
export interface FloorTable extends EntityFields<'table'>, TableState {}

// ---- the manager's feed: whole database rows ----

export interface OrderRow {
  id: Id
  restaurant_id: Id
  table_id: Id
  server_id: Id
  status: OrderStatus
  note: string | null
  version: number
  created_at: Timestamp
  updated_at: Timestamp
  closed_at: Timestamp | null
  rush: boolean
  /** The party the order was placed for (the table's party size then). */
  guests: number | null
}

export interface OrderItemRow {
  id: Id
  restaurant_id: Id
  order_id: Id
  station_id: Id
  menu_item_id: Id
  name: string
  qty: number
  modifiers: string[]
  notes: string | null
  allergens: string[]
  course: number
  status: ItemStatus
  fired_at: Timestamp | null
  started_at: Timestamp | null
  ready_at: Timestamp | null
  void_reason: string | null
  version: number
  created_at: Timestamp
  updated_at: Timestamp
  rush: boolean
}

export interface DiningTableRow extends TableState {
  id: Id
  restaurant_id: Id
  version: number
  updated_at: Timestamp
}

export interface AdminChange<T extends EntityType, R> extends EntityFields<T> {
  row: R
}
export type AdminOrder = AdminChange<'order', OrderRow>
export type AdminItem = AdminChange<'item', OrderItemRow>
export type AdminTable = AdminChange<'table', DiningTableRow>

// ---- per topic kind ----

/** The payload of each event (the broadcast event name is the payload's `type`) on each kind of topic. */
export interface TopicPayloads {
  kds: { item: KdsItem }
  expo: { order: OrderSummary; item: ExpoItem }
  server: { order: OrderSummary; item: ServerItem; table: FloorTable }
  floor: { table: FloorTable }
  admin: { order: AdminOrder; item: AdminItem; table: AdminTable }
}

/** Any payload a topic of kind K publishes (without the envelope). */
export type TopicPayload<K extends TopicKind> = TopicPayloads[K][keyof TopicPayloads[K]]
/** Any message a topic of kind K broadcasts (event name = `payload.type`). */
export type TopicMessage<K extends TopicKind> = Published<TopicPayload<K>>

/** `data` of a snapshot: the open work of the topic, in the same shapes as the events. */
export interface SnapshotData {
  kds: { items: KdsItem[] }
  expo: { orders: OrderSummary[]; items: ExpoItem[] }
  server: { orders: OrderSummary[]; items: ServerItem[]; tables: FloorTable[] }
  floor: { tables: FloorTable[] }
  admin: { orders: AdminOrder[]; items: AdminItem[]; tables: AdminTable[] }
}

/**
 * `GET /functions/v1/snapshot?topic=…` (ETag `"<topic>:<seq>@<epoch>"`): rows as of `seq`; apply events with a
 * higher seq of the same epoch on top.
 */
export interface Snapshot<K extends TopicKind = TopicKind> {
  topic: string
  /** Changes whenever the database's topic sequences start over (reset, restore): then seq restarts. */
  epoch: Id
  seq: number
  data: SnapshotData[K]
}

export interface CatchUpEvent<K extends TopicKind = TopicKind> {
  event: EntityType
  payload: TopicMessage<K>
}

/** `GET /functions/v1/catch-up?topic=…&after=<seq>[&epoch=<uuid>][&limit=n]` → 200. */
export interface CatchUp<K extends TopicKind = TopicKind> {
  status: 'ok'
  topic: string
  epoch: Id
  last_seq: number
  events: CatchUpEvent<K>[]
  /** Page on with `after` = the last event's seq. */
  more: boolean
}

export type RefetchReason = 'beyond_retention' | 'ahead_of_topic' | 'epoch_changed'

/** `details` of a `410 refetch_snapshot` from catch-up: fetch the snapshot again and continue from its seq. */
export interface RefetchDetails {
  reason: RefetchReason
  topic: string
  epoch: Id
  last_seq: number
}

// ---- the field lists as values, for tests and runtime checks ----

/** `Record<keyof T, true>`: the compiler insists on every key of T and no other. */
type Exactly<T> = { [K in keyof Required<T>]: true }
function fields<T>(keys: Exactly<T>): (keyof T & string)[] {
  return Object.keys(keys) as (keyof T & string)[]
}

const entity = { type: true, id: true, version: true } as const

const serverItem = {
  ...entity,
  order_id: true,
  course: true,
  name: true,
  qty: true,
  modifiers: true,
  notes: true,
  allergens: true,
  status: true,
  rush: true,
} as const

/** Orders as expo and their server see them; tables as the floor and their server see them. */
const ORDER_SUMMARY_FIELDS = fields<OrderSummary>({
  ...entity,
  table_id: true,
  table: true,
  server_id: true,
  server_name: true,
  guests: true,
  status: true,
  rush: true,
  note: true,
  created_at: true,
})
const tableState = {
  label: true,
  seats: true,
  status: true,
  server_id: true,
  party_size: true,
  seated_at: true,
} as const satisfies Exactly<TableState>
const FLOOR_TABLE_FIELDS = fields<FloorTable>({ ...entity, ...tableState })

/** Every payload's keys (without the envelope's `seq`/`ts`), per topic kind and event. */
export const PAYLOAD_FIELDS = {
  kds: {
    item: fields<KdsItem>({
      ...serverItem,
      table: true,
      server_name: true,
      guests: true,
      fired_at: true,
      started_at: true,
      ready_at: true,
    }),
  },
  expo: {
    order: ORDER_SUMMARY_FIELDS,
    item: fields<ExpoItem>({
      ...entity,
      order_id: true,
      station_id: true,
      course: true,
      name: true,
      qty: true,
      status: true,
      rush: true,
      fired_at: true,
      ready_at: true,
    }),
  },
  server: {
    order: ORDER_SUMMARY_FIELDS,
    item: fields<ServerItem>(serverItem),
    table: FLOOR_TABLE_FIELDS,
  },
  floor: {
    table: FLOOR_TABLE_FIELDS,
  },
  admin: {
    order: fields<AdminOrder>({ ...entity, row: true }),
    item: fields<AdminItem>({ ...entity, row: true }),
    table: fields<AdminTable>({ ...entity, row: true }),
  },
} as const satisfies { [K in TopicKind]: { [E in keyof TopicPayloads[K]]: string[] } }

/** The keys of the whole rows in the manager's feed. */
export const ADMIN_ROW_FIELDS = {
  order: fields<OrderRow>({
    id: true,
    restaurant_id: true,
    table_id: true,
    server_id: true,
    status: true,
    note: true,
    version: true,
    created_at: true,
    updated_at: true,
    closed_at: true,
    rush: true,
    guests: true,
  }),
  item: fields<OrderItemRow>({
    id: true,
    restaurant_id: true,
    order_id: true,
    station_id: true,
    menu_item_id: true,
    name: true,
    qty: true,
    modifiers: true,
    notes: true,
    allergens: true,
    course: true,
    status: true,
    fired_at: true,
    started_at: true,
    ready_at: true,
    void_reason: true,
    version: true,
    created_at: true,
    updated_at: true,
    rush: true,
  }),
  table: fields<DiningTableRow>({
    id: true,
    restaurant_id: true,
    ...tableState,
    version: true,
    updated_at: true,
  }),
} as const satisfies { [E in EntityType]: string[] }

export const ENVELOPE_FIELDS = fields<EnvelopeFields>({ seq: true, ts: true })

/** The keys of a snapshot and of a catch-up answer (`GET /snapshot`, `GET /catch-up` 200). */
export const SNAPSHOT_FIELDS = fields<Snapshot>({ topic: true, epoch: true, seq: true, data: true })
export const CATCH_UP_FIELDS = fields<CatchUp>({
  status: true,
  topic: true,
  epoch: true,
  last_seq: true,
  events: true,
  more: true,
})

/** The keys of each snapshot's `data`. */
export const SNAPSHOT_DATA_FIELDS = {
  kds: fields<SnapshotData['kds']>({ items: true }),
  expo: fields<SnapshotData['expo']>({ orders: true, items: true }),
  server: fields<SnapshotData['server']>({ orders: true, items: true, tables: true }),
  floor: fields<SnapshotData['floor']>({ tables: true }),
  admin: fields<SnapshotData['admin']>({ orders: true, items: true, tables: true }),
} as const satisfies { [K in TopicKind]: string[] }

// ---- bootstrap reads (functions/session, functions/menu) ----

/** A topic the caller may open, as `GET /functions/v1/session` lists it. */
export type SessionScope =
  | { scope: 'kds'; station_id: Id; topic: string }
  | { scope: 'server'; staff_id: Id; topic: string }
  | { scope: 'expo' | 'floor' | 'admin' | 'crew'; topic: string }

export interface SessionStaff {
  user_id: Id
  restaurant_id: Id
  role: StaffRole
  /** Cooks only. */
  station_id: Id | null
  display_name: string
}

export interface Station {
  id: Id
  slug: string
  name: string
}

/** `GET /functions/v1/session` (ETag, 304 on If-None-Match); 401 `not_staff` without an active staff row. */
export interface Session {
  user_id: Id
  staff: SessionStaff
  restaurant: { id: Id; name: string }
  stations: Station[]
  /** Only the scopes the caller may open, in this order: kds…, expo, server, floor, admin, crew. */
  scopes: SessionScope[]
}

export interface MenuItem {
  id: Id
  name: string
  station_id: Id
  /** Servers and managers only (cooks and expo get no prices). */
  price_cents?: number
  active: boolean
}

/** `GET /functions/v1/menu` (ETag, 304 on If-None-Match). */
export interface Menu {
  restaurant_id: Id
  items: MenuItem[]
}
