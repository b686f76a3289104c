// Catch-up after a gap, a reconnect or a wake-up:
//   GET /catch-up?topic=<topic>&after=<seq>[&epoch=<uuid>][&limit=<1..5000, default 500>]
//   → 200 {status: "ok", topic, epoch, last_seq, events: [{event, payload}], more}
//     (page on with after = last payload seq)
//   → 410 {code: "refetch_snapshot", message, details: {reason, topic, epoch, last_seq}} when `after` is a seq of
//     another epoch than the database's (reason "epoch_changed": the sequences started over, e.g. a reset or
//     restore), when the log no longer reaches back to `after` ("beyond_retention", 24 h) or `after` is ahead of
//     the topic ("ahead_of_topic"): fetch a new snapshot and apply events after its seq.
// Clients should always send the epoch of the snapshot they hold: without it, a reset that brought the topic
// back past `after` is invisible here.
import { authenticate, requireUser } from '../_shared/auth.ts'
import { readAs } from '../_shared/db.ts'
import { HttpError } from '../_shared/errors.ts'
import { json } from '../_shared/http.ts'
import { functionHandler } from '../_shared/routes.ts'
import { sqlText } from '../_shared/sql-text.ts'
import { validate } from '../_shared/validate.ts'
import { CATCH_UP_DEFAULT_LIMIT, QUERIES } from '@plater/contract/requests.ts'

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
  const query = validate(QUERIES.catchUp, Object.fromEntries(url.searchParams), 'query')
  const { topic, after } = query
  const limit = query.limit ?? CATCH_UP_DEFAULT_LIMIT
  // one statement: the events (authorised as the caller) and the epoch they belong to
  const [row] = await readAs<{ answer: EventsAnswer; epoch: string }>(
    caller,
    sqlText`select public.topic_events(${topic}, ${after}::bigint, ${limit}::int) as answer,
                   public.topic_epoch() as epoch;`,
  )
  const { answer, epoch } = row!
  const reason = query.epoch !== undefined && query.epoch.toLowerCase() !== epoch
    ? 'epoch_changed'
    : answer.reason
  if (reason !== undefined) {
    throw new HttpError(
      410,
      'refetch_snapshot',
      reason === 'epoch_changed'
        ? `the topic sequences of this database started over (epoch ${epoch}); fetch the snapshot of ${topic}`
        : `the log of ${topic} cannot continue after seq ${after}; fetch the snapshot`,
      { reason, topic, epoch, last_seq: answer.last_seq },
    )
  }
  const { status, last_seq, events, more } = answer
  return json(200, { status, topic, epoch, last_seq, events, more }, { 'cache-control': 'no-store' })
}

export const handler = functionHandler('catch-up', {
  catchUp: ({ req, url }) => catchUp(req, url),
})
