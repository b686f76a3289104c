// The route table of the edge functions: every route's function, method, path pattern, request and answer.
// Handlers take their method and pattern from here, clients build paths with `routePath`, and the route table in
// functions/README.md is generated from it (`npm run contract:docs`). Request schemas (zod) are in requests.ts;
// this file stays zod-free for the client.
import type { CatchUp, DiningTableRow, Menu, OrderItemRow, OrderRow, Session, Snapshot } from './payloads.ts'

export const FUNCTION_NAMES = [
  'orders',
  'kitchen',
  'tables',
  'snapshot',
  'catch-up',
  'warm',
  'session',
  'menu',
  'presence',
] as const
export type FunctionName = typeof FUNCTION_NAMES[number]

export type Method = 'GET' | 'POST'

export interface Route {
  fn: FunctionName
  method: Method
  /** Relative to the function: '' (the function itself) or '/:id/items'; `:name` segments are path parameters. */
  pattern: string
  /** What the route does, in a few words (the docs' route table). */
  does: string
  /** Who may call it; the database decides (the write RPCs), this is the summary. */
  who: string
  /** Mutations need an `Idempotency-Key` and take their expected version from `If-Match` or the body. */
  mutation: boolean
  /** The success status. */
  status: 200 | 201
}

const mutation = (fn: FunctionName, pattern: string, does: string, who: string, status: 200 | 201 = 200) =>
  ({ fn, method: 'POST', pattern, does, who, mutation: true, status }) as const

const read = (fn: FunctionName, method: Method, pattern: string, does: string, who: string) =>
  ({ fn, method, pattern, does, who, mutation: false, status: 200 }) as const

const SERVERS = 'servers (own orders), managers'
const FLOOR_AND_EXPO = 'servers (own orders), expo, managers'
const KITCHEN = 'cooks (own station), expo, managers'

export const ROUTES = {
  placeOrder: mutation('orders', '', 'place an order with items', SERVERS, 201),
  addItems: mutation('orders', '/:id/items', 'add items', SERVERS),
  fireCourse: mutation('orders', '/:id/courses/:course/fire', 'fire a held course', FLOOR_AND_EXPO),
  holdCourse: mutation('orders', '/:id/courses/:course/hold', 'hold an unstarted course', FLOOR_AND_EXPO),
  cancelOrder: mutation('orders', '/:id/cancel', 'cancel', SERVERS),
  serveOrder: mutation('orders', '/:id/serve', 'mark everything ready as served', FLOOR_AND_EXPO),
  rushOrder: mutation('orders', '/:id/rush', 'mark or unmark rush', 'expo, managers'),
  startItem: mutation('kitchen', '/items/:id/start', 'pending → preparing', KITCHEN),
  finishItem: mutation('kitchen', '/items/:id/finish', '→ ready', KITCHEN),
  recallItem: mutation('kitchen', '/items/:id/recall', 'ready → preparing', KITCHEN),
  voidItem: mutation(
    'kitchen',
    '/items/:id/void',
    '→ void',
    'servers (items the kitchen has not started), managers',
  ),
  bumpTicket: mutation(
    'kitchen',
    '/orders/:id/stations/:station/bump',
    "the station's ticket → ready",
    KITCHEN,
  ),
  seatTable: mutation('tables', '/:id/seat', 'seat a party', 'servers (own tables), managers'),
  clearTable: mutation('tables', '/:id/clear', 'guests have left', 'servers (own tables), managers'),
  snapshot: read(
    'snapshot',
    'GET',
    '',
    "a topic's open work as of a seq (ETag, 304)",
    'readers of the topic',
  ),
  warmSnapshots: read(
    'snapshot',
    'POST',
    '/warm',
    "build every snapshot of a restaurant into this instance's cache",
    "the restaurant's managers, the service key",
  ),
  catchUp: read('catch-up', 'GET', '', 'the events of a topic after a seq', 'readers of the topic'),
  warm: read('warm', 'POST', '', 'hands over to `snapshot/warm` (its own isolate)', 'as `snapshot/warm`'),
  session: read(
    'session',
    'GET',
    '',
    'who the caller is, their restaurant, its stations and the topics they may open',
    'active staff',
  ),
  menu: read('menu', 'GET', '', "the restaurant's menu (prices for servers and managers)", 'active staff'),
  presenceClaim: read('presence', 'POST', '/claim', "a claim for a console's public key", 'active staff'),
  presenceVerify: read(
    'presence',
    'POST',
    '/verify',
    'who each console in presence is, as the server verified it',
    'managers',
  ),
} as const satisfies Record<string, Route>

export type RouteName = keyof typeof ROUTES

/** The routes of one function, in table order. */
export function routesOf(fn: FunctionName): RouteName[] {
  return (Object.keys(ROUTES) as RouteName[]).filter((name) => ROUTES[name].fn === fn)
}

// ---- requests (zod-free types; requests.ts holds the schemas, checked against these at compile time) ----

/** One line of an order (`items` of placeOrder and addItems). */
export interface OrderLine {
  menu_item_id: string
  /** 1–99. */
  qty: number
  modifiers?: string[]
  allergens?: string[]
  notes?: string
  /** 1–9; default 1. */
  course?: number
  /** Hold the line's course until it is fired. */
  hold?: boolean
}

/** Every mutation may say which version it expects (or send `If-Match: "<version>"`). */
interface Versioned {
  expected_version?: number
}

/** A console's P-256 public key (JWK). */
export interface ConsoleKey {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
}

export interface RouteBodies {
  placeOrder: { table_id: string; items: OrderLine[]; note?: string }
  addItems: { items: OrderLine[] } & Versioned
  fireCourse: Versioned
  holdCourse: Versioned
  cancelOrder: { reason?: string } & Versioned
  serveOrder: Versioned
  rushOrder: { rush: boolean } & Versioned
  startItem: Versioned
  finishItem: Versioned
  recallItem: Versioned
  voidItem: { reason?: string } & Versioned
  bumpTicket: Record<never, never>
  seatTable: { party_size: number; server_id?: string } & Versioned
  clearTable: Versioned
  snapshot: Record<never, never>
  warmSnapshots: { restaurant: string }
  catchUp: Record<never, never>
  warm: { restaurant: string }
  session: Record<never, never>
  menu: Record<never, never>
  presenceClaim: { key: ConsoleKey }
  presenceVerify: { entries: { claim: string; sig: string; report: unknown }[] }
}

/** Query parameters of the GET routes that take any. */
export interface RouteQueries {
  snapshot: { topic: string }
  catchUp: { topic: string; after: number; epoch?: string; limit?: number }
}

// ---- answers ----

export interface WarmAnswer {
  restaurant: string
  built: { topic: string; seq: number; bytes: number }[]
  ms: number
}

/** What a console reports about its client; signed field by field (presence.ts). */
export interface PresenceVerdictOk {
  ok: true
  user_id: string
  display_name: string
  role: string
  station_id: string | null
  report: Record<string, unknown>
}
export type PresenceVerdict = PresenceVerdictOk | { ok: false; reason: string }

type OrderAndItems = { order: OrderRow; items: OrderItemRow[] }
type Items = { items: OrderItemRow[] }
type Item = { item: OrderItemRow }
type Table = { table: DiningTableRow }

export interface RouteAnswers {
  placeOrder: OrderAndItems
  addItems: OrderAndItems
  fireCourse: Items
  holdCourse: Items
  cancelOrder: { order: OrderRow }
  serveOrder: OrderAndItems
  /** `items`: those whose flag changed. */
  rushOrder: OrderAndItems
  startItem: Item
  finishItem: Item
  recallItem: Item
  voidItem: Item
  bumpTicket: Items
  seatTable: Table
  clearTable: Table
  snapshot: Snapshot
  warmSnapshots: WarmAnswer
  catchUp: CatchUp
  warm: WarmAnswer
  session: Session
  menu: Menu
  presenceClaim: { claim: string; expires_at: number }
  presenceVerify: { entries: PresenceVerdict[] }
}

// ---- paths ----

/** The path parameters a pattern names, e.g. `{id, course}` for '/:id/courses/:course/fire'. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string | number } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}` ? { [K in Name]: string | number }
  : Record<never, never>

export type RouteParams<R extends RouteName> = PathParams<typeof ROUTES[R]['pattern']>

/** Where the functions are served, below the project URL. */
export const FUNCTIONS_PREFIX = '/functions/v1/'

/**
 * The path of a route below `/functions/v1/` (what `supabase.functions.invoke` takes), e.g.
 * `routePath('addItems', {id})` → `orders/<id>/items`. Parameters are percent-encoded.
 */
export function routePath<R extends RouteName>(name: R, params: RouteParams<R>): string {
  const route: Route = ROUTES[name]
  const values = params as Record<string, string | number>
  const path = route.pattern.replace(/:([A-Za-z_]+)/g, (_, param: string) => {
    const value = values[param]
    if (value === undefined) throw new TypeError(`${name} needs the path parameter ${param}`)
    return encodeURIComponent(String(value))
  })
  return `${route.fn}${path}`
}

/** The route's method and path as docs write it, e.g. `POST /orders/:id/items`. */
export function routeLabel(name: RouteName): string {
  const route: Route = ROUTES[name]
  return `${route.method} /${route.fn}${route.pattern}`
}
