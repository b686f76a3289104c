// Catch-up after a gap, a reconnect or a wake-up:
//   GET /catch-up?topic=<topic>&after=<seq>[&limit=<1..5000, default 500>]
//   → 200 {status: "ok", topic, last_seq, events: [{event, payload}], more}   (page on with after = last payload seq)
//   → 410 {code: "refetch_snapshot", message, details: {reason, topic, last_seq}} when the log no longer reaches
//     back to `after` (reason "beyond_retention", 24 h) or `after` is ahead of the topic ("ahead_of_topic",
//     e.g. the database was reset): fetch a new snapshot and apply events after its seq.
import { authenticate, requireUser } from '../_shared/auth.ts'
import { readAs } from '../_shared/db.ts'
import { z } from '../_shared/deps.ts'
import { HttpError } from '../_shared/errors.ts'
import { createHandler, json } from '../_shared/http.ts'
import { sqlText } from '../_shared/sql-text.ts'
import { topicSchema } from '../_shared/topics.ts'
import { validate } from '../_shared/validate.ts'

const seqParam = (what: string, max: number) =>
  z.string({ error: `${what} is required` })
    .regex(/^[0-9]{1,15}$/, { error: `${what} must be a whole number` })
    .transform(Number)
    .refine((n) => n <= max, { error: `${what} must be at most ${max}` })

const querySchema = z.object({
  topic: topicSchema,
  after: seqParam('after', Number.MAX_SAFE_INTEGER),
  limit: seqParam('limit', 5000).refine((n) => n >= 1, { error: 'limit must be at least 1' }).optional(),
})

interface EventsAnswer {
  status: 'ok' | 'refetch'
  topic: string
  last_seq: number
  reason?: string
  events?: unknown[]
  more?: boolean
}

async function catchUp(req: Request, url: URL): Promise<Response> {
  const caller = requireUser(await authenticate(req))
  const { topic, after, limit } = validate(querySchema, Object.fromEntries(url.searchParams), 'query')
  const [row] = await readAs<{ answer: EventsAnswer }>(
    caller,
    sqlText`select public.topic_events(${topic}, ${after}::bigint, ${limit ?? 500}::int) as answer;`,
  )
  const answer = row!.answer
  if (answer.status === 'refetch') {
    throw new HttpError(
      410,
      'refetch_snapshot',
      `the log of ${topic} cannot continue after seq ${after}; fetch the snapshot`,
      {
        reason: answer.reason,
        topic,
        last_seq: answer.last_seq,
      },
    )
  }
  return json(200, answer, { 'cache-control': 'no-store' })
}

export const handler = createHandler('catch-up', [
  { method: 'GET', pattern: '', handler: ({ req, url }) => catchUp(req, url) },
])
