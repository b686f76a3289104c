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
  /** Mutations need an `Idempotency-Key` and take their expected version from `If-Match` or the body. */
  mutation: boolean
  /** The success status. */
  status: 200 | 201
}

/** A route in words, for the docs' route table. */
export interface RouteDoc {
  /** What the route does, in a few words. */
  does: string
  /** Who may call it; the database decides (the write RPCs), this is the summary. */
  who: string
}

// Generic so that the function and the pattern keep their literal types: `RouteParams` reads the pattern's.
const mutation = <F extends FunctionName, P extends string>(fn: F, pattern: P, status: 200 | 201 = 200) =>
  ({ fn, method: 'POST', pattern, mutation: true, status }) as const

const read = <F extends FunctionName, M extends Method, P extends string>(fn: F, method: M, pattern: P) =>
  ({ fn, method, pattern, mutation: false, status: 200 }) as const

// No prose here (ROUTE_DOCS has it): the client's browser bundle carries this table whole.
export const ROUTES = {
  placeOrder: mutation('orders', '', 201),
  addItems: mutation('orders', '/:id/items'),
  fireCourse: mutation('orders', '/:id/courses/:course/fire'),
  holdCourse: mutation('orders', '/:id/courses/:course/hold'),
  cancelOrder: mutation('orders', '/:id/cancel'),
  serveOrder: mutation('orders', '/:id/serve'),
  rushOrder: mutation('orders', '/:id/rush'),
  startItem: mutation('kitchen', '/items/:id/start'),
  finishItem: mutation('kitchen', '/items/:id/finish'),
  recallItem: mutation('kitchen', '/items/:id/recall'),
  voidItem: mutation('kitchen', '/items/:id/void'),
  bumpTicket: mutation('kitchen', '/orders/:id/stations/:station/bump'),
  seatTable: mutation('tables', '/:id/seat'),
  clearTable: mutation('tables', '/:id/clear'),
  snapshot: read('snapshot', 'GET', ''),
  warmSnapshots: read('snapshot', 'POST', '/warm'),
  catchUp: read('catch-up', 'GET', ''),
  warm: read('warm', 'POST', ''),
  session: read('session', 'GET', ''),
  menu: read('menu', 'GET', ''),
  presenceClaim: read('presence', 'POST', '/claim'),
  presenceVerify: read('presence', 'POST', '/verify'),
} as const satisfies Record<string, Route>

export type RouteName = keyof typeof ROUTES

const SERVERS = 'servers (own orders), managers'
const FLOOR_AND_EXPO = 'servers (own orders), expo, managers'
const KITCHEN = 'cooks (own station), expo, managers'

/** What each route does and who may call it (functions/README.md's route table). */
export const ROUTE_DOCS: { [R in RouteName]: RouteDoc } = {
  placeOrder: { does: 'place an order with items', who: SERVERS },
  addItems: { does: 'add items', who: SERVERS },
  fireCourse: { does: 'fire a held course', who: FLOOR_AND_EXPO },
  holdCourse: { does: 'hold an unstarted course', who: FLOOR_AND_EXPO },
  cancelOrder: { does: 'cancel', who: SERVERS },
  serveOrder: { does: 'mark everything ready as served', who: FLOOR_AND_EXPO },
  rushOrder: { does: 'mark or unmark rush', who: 'expo, managers' },
  startItem: { does: 'pending → preparing', who: KITCHEN },
  finishItem: { does: '→ ready', who: KITCHEN },
  recallItem: { does: 'ready → preparing', who: KITCHEN },
  voidItem: { does: '→ void', who: 'servers (items the kitchen has not started), managers' },
  bumpTicket: { does: "the station's ticket → ready", who: KITCHEN },
  seatTable: { does: 'seat a party', who: 'servers (own tables), managers' },
  clearTable: { does: 'guests have left', who: 'servers (own tables), managers' },
  snapshot: { does: "a topic's open work as of a seq (ETag, 304)", who: 'readers of the topic' },
  warmSnapshots: {
    does: "build every snapshot of a restaurant into this instance's cache",
    who: "the restaurant's managers, the service key",
  },
  catchUp: { does: 'the events of a topic after a seq', who: 'readers of the topic' },
  warm: { does: 'hands over to `snapshot/warm` (its own isolate)', who: 'as `snapshot/warm`' },
  session: {
    does: 'who the caller is, their restaurant, its stations and the topics they may open',
    who: 'active staff',
  },
  menu: { does: "the restaurant's menu (prices for servers and managers)", who: 'active staff' },
  presenceClaim: { does: "a claim for a console's public key", who: 'active staff' },
  presenceVerify: { does: 'who each console in presence is, as the server verified it', who: 'managers' },
}

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
