// The request schemas of every route (zod; the client never imports this file): path parameters, body and query.
// The database re-checks everything; these give clients field-level 400s before a transaction is opened. Each
// schema's output is checked at compile time against the zod-free request types of routes.ts.
import { z } from 'zod'
import { expectedVersion, freeText, intBetween, reason, uuid } from './fields.ts'
import { orderLines } from './order-line.ts'
import { MAX_VERIFY_ENTRIES } from './presence.ts'
import type { RouteBodies, RouteName, RouteQueries } from './routes.ts'
import { SNAPSHOT_TOPIC, TOPIC_GRAMMAR } from './topics.ts'

const versioned = { expected_version: expectedVersion.optional() }
const versionOnly = z.strictObject(versioned)
const withReason = z.strictObject({ reason: reason.optional(), ...versioned })
const none = z.strictObject({})
const noParams = z.object({})
const idParams = z.object({ id: uuid('the id in the path') })
const courseParams = z.object({
  id: uuid('the order id in the path'),
  course: z.coerce.number({ error: 'course must be a number' }).int({ error: 'course must be an integer' })
    .min(1, { error: 'course must be between 1 and 9' }).max(9, { error: 'course must be between 1 and 9' }),
})
const bumpParams = z.object({
  id: uuid('the order id in the path'),
  station: uuid('the station id in the path'),
})
const restaurantBody = z.strictObject({ restaurant: uuid('restaurant') })

const P256_COORDINATE = /^[A-Za-z0-9_-]{43}$/
/** A console's P-256 public key; any other JWK member is dropped. */
export const consoleKey = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(P256_COORDINATE),
  y: z.string().regex(P256_COORDINATE),
}).strip()

/** A console's report in presence, checked entry by entry (one console's bad report must not refuse the others). */
export const presenceReport = z.object({
  screen: z.string().max(200),
  status: z.string().max(32),
  p95: z.number().nonnegative().nullable(),
  pending: z.number().int().nonnegative(),
  rollbacks: z.number().int().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  at: z.number(),
}).strip()

export const topicSchema = z.string({ error: 'topic is required' }).regex(SNAPSHOT_TOPIC, {
  error: `topic must be ${
    [TOPIC_GRAMMAR.kds, TOPIC_GRAMMAR.expo, TOPIC_GRAMMAR.server, TOPIC_GRAMMAR.floor].join(', ')
  } or ${TOPIC_GRAMMAR.admin}`,
})

const seqParam = (what: string, max: number) =>
  z.string({ error: `${what} is required` })
    .regex(/^[0-9]{1,15}$/, { error: `${what} must be a whole number` })
    .transform(Number)
    .refine((n) => n <= max, { error: `${what} must be at most ${max}` })

/** `limit` of catch-up: 1..CATCH_UP_MAX_LIMIT, default CATCH_UP_DEFAULT_LIMIT. */
export const CATCH_UP_DEFAULT_LIMIT = 500
export const CATCH_UP_MAX_LIMIT = 5000

export const QUERIES = {
  snapshot: z.object({ topic: topicSchema }),
  catchUp: z.object({
    topic: topicSchema,
    after: seqParam('after', Number.MAX_SAFE_INTEGER),
    limit: seqParam('limit', CATCH_UP_MAX_LIMIT).refine((n) => n >= 1, { error: 'limit must be at least 1' })
      .optional(),
    epoch: uuid('epoch').optional(),
  }),
} as const satisfies { [R in keyof RouteQueries]: z.ZodType<RouteQueries[R], Record<string, string>> }

export const REQUESTS = {
  placeOrder: {
    params: noParams,
    body: z.strictObject({
      table_id: uuid('table_id'),
      items: orderLines,
      note: freeText('note', 500).optional(),
    }),
  },
  addItems: { params: idParams, body: z.strictObject({ items: orderLines, ...versioned }) },
  fireCourse: { params: courseParams, body: versionOnly },
  holdCourse: { params: courseParams, body: versionOnly },
  cancelOrder: { params: idParams, body: withReason },
  serveOrder: { params: idParams, body: versionOnly },
  rushOrder: {
    params: idParams,
    body: z.strictObject({ rush: z.boolean({ error: 'rush must be true or false' }), ...versioned }),
  },
  startItem: { params: idParams, body: versionOnly },
  finishItem: { params: idParams, body: versionOnly },
  recallItem: { params: idParams, body: versionOnly },
  voidItem: { params: idParams, body: withReason },
  bumpTicket: { params: bumpParams, body: none },
  seatTable: {
    params: idParams,
    body: z.strictObject({
      party_size: intBetween('party_size', 1, 100),
      server_id: uuid('server_id').optional(),
      ...versioned,
    }),
  },
  clearTable: { params: idParams, body: versionOnly },
  snapshot: { params: noParams, body: none },
  warmSnapshots: { params: noParams, body: restaurantBody },
  catchUp: { params: noParams, body: none },
  warm: { params: noParams, body: restaurantBody },
  session: { params: noParams, body: none },
  menu: { params: noParams, body: none },
  presenceClaim: { params: noParams, body: z.object({ key: consoleKey }).strict() },
  presenceVerify: {
    params: noParams,
    body: z.object({
      entries: z.array(
        z.object({ claim: z.string().max(2048), sig: z.string().max(128), report: z.unknown() }).strict(),
      ).max(MAX_VERIFY_ENTRIES),
    }).strict(),
  },
} as const satisfies {
  [R in RouteName]: { params: z.ZodType<Record<string, unknown>>; body: z.ZodType<RouteBodies[R]> }
}
