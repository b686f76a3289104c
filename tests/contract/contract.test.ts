// The contract module on its own: topic names round-trip, the status machines match the SQL rules, the route
// table builds paths and covers every function, the error table answers every database code the RPCs raise, and
// the zod-free files stay zod-free (the client imports them).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  buildTopic,
  canMoveItem,
  DATABASE_ERRORS,
  databaseAnswer,
  ERROR_CODES,
  FUNCTION_NAMES,
  HttpError,
  isSnapshotTopic,
  isTransientAnswer,
  ITEM_STATUSES,
  ITEM_TRANSITIONS,
  itemTransitionAllowed,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  parseTopic,
  refusalWords,
  restaurantTopics,
  routePath,
  ROUTES,
  routesOf,
  STAFF_ROLES,
  STORABLE_SQLSTATES,
  TABLE_STATUSES,
  TABLE_TRANSITIONS,
  type Topic,
} from '../../contract/index.ts'
import { orderLine } from '../../contract/order-line.ts'
import { QUERIES, REQUESTS, topicSchema } from '../../contract/requests.ts'

const repoRoot = join(import.meta.dirname, '..', '..')
const R = '00000000-0000-4000-8000-00000000b001'
const S = '00000000-0000-4000-8000-00000000b0a1'

describe('topics', () => {
  const topics: Topic[] = [
    { kind: 'kds', restaurant: R, station: S },
    { kind: 'server', restaurant: R, staff: S },
    { kind: 'expo', restaurant: R },
    { kind: 'floor', restaurant: R },
    { kind: 'admin', restaurant: R },
    { kind: 'crew', restaurant: R },
  ]

  it.each(topics)('$kind round-trips through its name', (topic) => {
    expect(parseTopic(buildTopic(topic))).toEqual(topic)
  })

  it.each([
    `kds:${R}`, // a station is required
    `expo:${R}:${S}`, // no third part
    `floor:not-a-uuid`,
    `bar:${R}`,
    `server:${R}:${S}:x`,
    '',
  ])('%s is not a topic', (name) => {
    expect(parseTopic(name)).toBeUndefined()
  })

  it('crew has no snapshot; the other kinds do, and the zod schema agrees with the cheap check', () => {
    for (const topic of topics) {
      const name = buildTopic(topic)
      expect(isSnapshotTopic(name), name).toBe(topic.kind !== 'crew')
      expect(topicSchema.safeParse(name).success, name).toBe(topic.kind !== 'crew')
    }
  })

  it("lists every snapshot topic of a restaurant: floor, expo, admin, each station's kds, each server's", () => {
    expect(restaurantTopics(R, { stations: [S], servers: [S] })).toEqual([
      `floor:${R}`,
      `expo:${R}`,
      `admin:${R}`,
      `kds:${R}:${S}`,
      `server:${R}:${S}`,
    ])
  })
})

/** `'a>b', …` pairs of a plater_private.*_transition_allowed function in the migrations. */
function sqlPairs(entity: string): string[] {
  const migrations = readdirSync(join(repoRoot, 'migrations')).map((file) =>
    readFileSync(join(repoRoot, 'migrations', file), 'utf8')
  )
  const source = migrations.find((text) =>
    text.includes(`function plater_private.${entity}_transition_allowed`)
  )!
  const body = source.slice(source.indexOf(`function plater_private.${entity}_transition_allowed`))
  const array = /array\[([^\]]*)\]/.exec(body.slice(0, body.indexOf('$$;')))?.[1] ?? ''
  return [...array.matchAll(/'(\w+>\w+)'/g)].map((m) => m[1]!).sort()
}

/** The labels of `create type public.<name> as enum (…)` in the migrations, in order. */
function sqlEnum(name: string): string[] {
  const migrations = readdirSync(join(repoRoot, 'migrations')).map((file) =>
    readFileSync(join(repoRoot, 'migrations', file), 'utf8')
  )
  const match = migrations.map((text) =>
    new RegExp(`create type public\\.${name} as enum \\(([^)]*)\\)`).exec(text)
  ).find(Boolean)
  return [...(match?.[1] ?? '').matchAll(/'(\w+)'/g)].map((m) => m[1]!)
}

describe('status machines', () => {
  it('the statuses and roles are the SQL enums, in their order', () => {
    expect(ITEM_STATUSES).toEqual(sqlEnum('item_status'))
    expect(ORDER_STATUSES).toEqual(sqlEnum('order_status'))
    expect(TABLE_STATUSES).toEqual(sqlEnum('table_status'))
    expect(STAFF_ROLES).toEqual(sqlEnum('staff_role'))
  })

  it('item and order transitions are exactly the pairs the SQL triggers allow', () => {
    expect([...ITEM_TRANSITIONS].sort()).toEqual(sqlPairs('item'))
    expect([...ORDER_TRANSITIONS].sort()).toEqual(sqlPairs('order'))
  })

  it('a table moves between free and seated only', () => {
    expect([...TABLE_TRANSITIONS].sort()).toEqual(['free>seated', 'seated>free'])
  })

  it('named moves are the transitions', () => {
    expect(canMoveItem('pending', 'start')).toBe(true)
    expect(canMoveItem('ready', 'start')).toBe(false) // that is a recall
    expect(canMoveItem('served', 'void')).toBe(false)
    expect(itemTransitionAllowed('ready', 'preparing')).toBe(true)
    expect(itemTransitionAllowed('void', 'pending')).toBe(false)
  })
})

describe('routes', () => {
  it('builds paths below /functions/v1/, parameters percent-encoded', () => {
    expect(routePath('placeOrder', {})).toBe('orders')
    expect(routePath('fireCourse', { id: R, course: 2 })).toBe(`orders/${R}/courses/2/fire`)
    expect(routePath('bumpTicket', { id: R, station: S })).toBe(`kitchen/orders/${R}/stations/${S}/bump`)
    expect(routePath('startItem', { id: 'a/b' })).toBe('kitchen/items/a%2Fb/start')
  })

  it('refuses a missing parameter', () => {
    expect(() => routePath('startItem', {} as { id: string })).toThrow(/needs the path parameter id/)
  })

  it('every function has routes and no two routes share a method and path', () => {
    for (const fn of FUNCTION_NAMES) expect(routesOf(fn).length, fn).toBeGreaterThan(0)
    const keys = Object.values(ROUTES).map((route) => `${route.method} /${route.fn}${route.pattern}`)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it("each route's params schema names exactly its pattern's parameters", () => {
    for (const [name, route] of Object.entries(ROUTES)) {
      const params = [...route.pattern.matchAll(/:(\w+)/g)].map((m) => m[1]).sort()
      const shape = Object.keys(
        (REQUESTS[name as keyof typeof REQUESTS].params as unknown as { shape: object }).shape,
      ).sort()
      expect(shape, name).toEqual(params)
    }
  })

  it('only GET routes have query schemas', () => {
    for (const name of Object.keys(QUERIES)) expect(ROUTES[name as keyof typeof ROUTES].method).toBe('GET')
  })
})

describe('order lines', () => {
  const line = { menu_item_id: R, qty: 2 }

  it('takes a minimal line and refuses unknown fields and bad quantities', () => {
    expect(orderLine.safeParse(line).success).toBe(true)
    expect(orderLine.safeParse({ ...line, price: 1 }).success).toBe(false)
    expect(orderLine.safeParse({ ...line, qty: 100 }).error?.issues[0]?.message).toBe(
      'qty must be between 1 and 99',
    )
  })
})

/** Every PT code the migrations raise through plater_private.fail. */
function raisedCodes(): string[] {
  const codes = new Set<string>()
  for (const file of readdirSync(join(repoRoot, 'migrations'))) {
    const text = readFileSync(join(repoRoot, 'migrations', file), 'utf8')
    for (const match of text.matchAll(/fail\('(PT\d{3})'/g)) codes.add(match[1]!)
  }
  return [...codes].sort()
}

describe('errors', () => {
  it('answers every code the database raises', () => {
    const codes = raisedCodes()
    expect(codes.length).toBeGreaterThan(0)
    for (const code of codes) expect(Object.keys(DATABASE_ERRORS), code).toContain(code)
  })

  it('maps database codes to the HTTP status of their client code', () => {
    for (const [sqlstate, answer] of Object.entries(DATABASE_ERRORS)) {
      expect(ERROR_CODES[answer.code].status, sqlstate).toBe(answer.status)
    }
    expect(databaseAnswer('PT409', { ifMatch: true })).toMatchObject({
      status: 412,
      code: 'precondition_failed',
    })
    expect(databaseAnswer('08006')).toMatchObject({ status: 503, code: 'retry_later', transient: true })
    expect(databaseAnswer('57P03')).toMatchObject({ status: 503, code: 'retry_later' })
    expect(databaseAnswer('22P02')).toMatchObject({ status: 400, code: 'invalid_input' })
    expect(databaseAnswer('XX000')).toBeUndefined()
  })

  it('stores the decided refusals of a mutation, never auth or transient ones', () => {
    expect([...STORABLE_SQLSTATES].sort()).toEqual(['PT400', 'PT403', 'PT404', 'PT409', 'PT422'])
  })

  it('transient answers are the ones worth retrying with the same key', () => {
    expect(isTransientAnswer({ status: 503, code: 'retry_later' })).toBe(true)
    expect(isTransientAnswer({ status: 409, code: 'idempotency_key_in_flight' })).toBe(true)
    expect(isTransientAnswer({ status: 0, code: 'network_error' })).toBe(true)
    expect(isTransientAnswer({ status: 409, code: 'version_conflict' })).toBe(false)
    expect(isTransientAnswer({ status: 401, code: 'token_expired' })).toBe(false)
  })

  it("shows the database's own reason where it wrote one for people, else the table's words", () => {
    expect(refusalWords({ code: 'forbidden', message: 'a cook may not cancel orders' })).toBe(
      'a cook may not cancel orders',
    )
    expect(refusalWords({ code: 'version_conflict', message: 'item … is at version 4, not 3' })).toBe(
      'someone else changed it first',
    )
    expect(refusalWords({ code: 'forbidden' })).toBe('your role may not do this')
    expect(refusalWords({ code: 'unheard_of', message: 'as sent' })).toBe('as sent')
  })

  it('HttpError answers {code, message, details?} as JSON with its headers', async () => {
    const response = new HttpError(409, 'version_conflict', 'stale', { current: 3 }, { etag: '"3"' })
      .toResponse()
    expect(response.status).toBe(409)
    expect(response.headers.get('etag')).toBe('"3"')
    expect(await response.json()).toEqual({
      code: 'version_conflict',
      message: 'stale',
      details: { current: 3 },
    })
  })
})

describe('zod stays out of what the client imports', () => {
  const ZOD_FREE = [
    'errors.ts',
    'index.ts',
    'payloads.ts',
    'presence.ts',
    'routes.ts',
    'status.ts',
    'topics.ts',
  ]

  /** Every file `file` imports, transitively, inside contract/. */
  function closure(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen
    seen.add(file)
    const text = readFileSync(join(repoRoot, 'contract', file), 'utf8')
    for (const match of text.matchAll(/from '\.\/([\w-]+\.ts)'/g)) closure(match[1]!, seen)
    return seen
  }

  it.each(ZOD_FREE)('%s imports no zod, directly or through another contract file', (file) => {
    for (const dependency of closure(file)) {
      const text = readFileSync(join(repoRoot, 'contract', dependency), 'utf8')
      expect(text, `${file} → ${dependency}`).not.toMatch(/from 'zod'|import\(['"]zod['"]\)/)
    }
  })
})
