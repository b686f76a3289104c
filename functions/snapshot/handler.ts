// Role-scoped snapshots, cached in memory and validated by seq on every request:
//   GET  /snapshot?topic=<topic>     → 200 {topic, epoch, seq, data} with ETag "<topic>:<seq>@<epoch>", or 304 on
//                                      If-None-Match
//   POST /snapshot/warm {restaurant} → builds every topic of a restaurant into this instance's cache
//                                      (managers of that restaurant, or the service_role key)
// Revalidation is one statement: `topic_seq(topic)` as the caller both authorises (401/403) and gives the seq,
// `topic_epoch()` the epoch; a matching If-None-Match answers 304 without touching the cache, a cached entry at
// that epoch and seq is served as is, and only a miss builds (`topic_snapshot`, rows and seq from one MVCC
// snapshot, with the epoch read in the same statement).
import { authenticate, type Caller, requireUser } from '../_shared/auth.ts'
import { lastSelect, query, readAs } from '../_shared/db.ts'
import { HttpError } from '../_shared/errors.ts'
import { ifNoneMatchHits, snapshotEtag } from '../_shared/etag.ts'
import { json, readJsonObject } from '../_shared/http.ts'
import { functionHandler } from '../_shared/routes.ts'
import { sqlText } from '../_shared/sql-text.ts'
import { type CachedSnapshot, SnapshotCache } from '../_shared/snapshot-cache.ts'
import { validate } from '../_shared/validate.ts'
import { QUERIES, REQUESTS } from '@plater/contract/requests.ts'
import type { WarmAnswer } from '@plater/contract/routes.ts'
import { buildTopic, isSnapshotTopic, restaurantTopics } from '@plater/contract/topics.ts'

export const cache = new SnapshotCache()

const CACHE_CONTROL = 'private, no-cache'

function snapshotHeaders(etag: string): Record<string, string> {
  return { etag, 'cache-control': CACHE_CONTROL }
}

interface Position {
  epoch: string
  seq: number
}

/** The topic's current epoch and seq, authorised as the caller (PT401/PT403 otherwise): one round trip. */
async function currentPosition(caller: Caller, topic: string): Promise<Position> {
  const [row] = await readAs<{ seq: string; epoch: string }>(
    caller,
    sqlText`select public.topic_seq(${topic}) as seq, public.topic_epoch() as epoch;`,
  )
  return { epoch: row!.epoch, seq: Number(row!.seq) }
}

/** Builds the caller's snapshot of `topic` (topic_snapshot re-checks the caller). */
async function buildAsCaller(caller: Caller, topic: string): Promise<CachedSnapshot> {
  const [row] = await readAs<{ snapshot: Snapshot }>(
    caller,
    sqlText`select public.topic_snapshot(${topic}) || jsonb_build_object('epoch', public.topic_epoch()) as snapshot;`,
  )
  return entryOf(row!.snapshot)
}

interface Snapshot {
  topic: string
  epoch: string
  seq: number
  data: unknown
}

/** Serialised once, compactly (jsonb's text form would add a space after every colon and comma). */
function entryOf(snapshot: Snapshot): CachedSnapshot {
  const seq = Number(snapshot.seq)
  return {
    topic: snapshot.topic,
    epoch: snapshot.epoch,
    seq,
    body: JSON.stringify(snapshot),
    etag: snapshotEtag(snapshot.topic, snapshot.epoch, seq),
    builtAt: Date.now(),
  }
}

async function getSnapshot(req: Request, url: URL): Promise<Response> {
  // topics are read by staff members: an API key has no staff row to authorise
  const caller = requireUser(await authenticate(req))
  const given = url.searchParams.get('topic')
  const topic = isSnapshotTopic(given)
    ? given
    : validate(QUERIES.snapshot, Object.fromEntries(url.searchParams), 'query').topic
  const { epoch, seq } = await currentPosition(caller, topic)
  const etag = snapshotEtag(topic, epoch, seq)
  if (ifNoneMatchHits(req.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers: snapshotHeaders(etag) })
  }
  const entry = cache.at(topic, epoch, seq) ??
    await cache.build(topic, epoch, seq, () => buildAsCaller(caller, topic))
  return new Response(entry.body, {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', ...snapshotHeaders(entry.etag) },
  })
}

/** Managers of the restaurant (they may read its admin topic) or the service_role key. */
async function authorizeWarm(caller: Caller, restaurant: string): Promise<void> {
  if (caller.role === 'service_role') return
  if (caller.role !== 'authenticated') {
    throw new HttpError(403, 'forbidden', 'warming needs a manager or the service key')
  }
  try {
    await currentPosition(caller, buildTopic({ kind: 'admin', restaurant }))
  } catch (error) {
    if ((error as { code?: string }).code === 'PT403') {
      throw new HttpError(403, 'forbidden', 'only a manager of this restaurant may warm its snapshots')
    }
    throw error
  }
}

/**
 * Builds every snapshot of `restaurant` in ONE statement (one MVCC snapshot for all of them), as the
 * connection's own role: the caller was authorised for the whole restaurant above.
 */
export async function warmRestaurant(restaurant: string): Promise<WarmAnswer> {
  const started = performance.now()
  const [scopes] = lastSelect<{ found: boolean; stations: string[]; servers: string[] }>(
    await query(sqlText`
      select exists (select from public.restaurants where id = ${restaurant}::uuid) as found,
             array(select id::text from public.stations where restaurant_id = ${restaurant}::uuid order by slug) as stations,
             array(select user_id::text from public.staff
                    where restaurant_id = ${restaurant}::uuid and active and role in ('server', 'manager')
                    order by user_id) as servers`),
  )
  if (!scopes!.found) throw new HttpError(404, 'not_found', 'no such restaurant')
  const topics = restaurantTopics(restaurant, scopes!)
  // one statement, so all the snapshots come from one MVCC snapshot of the database
  const rows = lastSelect<{ snapshot: Snapshot }>(
    await query(sqlText`
      select s as snapshot
        from unnest(string_to_array(${topics.join(',')}, ',')) with ordinality as t(topic, n)
       cross join lateral (
         select jsonb_build_object('topic', t.topic, 'epoch', public.topic_epoch(),
                                   'seq', plater_private.topic_head(t.topic),
                                   'data', plater_private.snapshot_rows(t.topic)) as s offset 0) as snapshot
       order by t.n`),
  )
  const built = rows.map((row) => {
    const entry = cache.put(entryOf(row.snapshot))
    return { topic: entry.topic, seq: entry.seq, bytes: entry.body.length }
  })
  return { restaurant, built, ms: Math.round((performance.now() - started) * 100) / 100 }
}

async function warm(req: Request): Promise<Response> {
  const caller = await authenticate(req)
  const { restaurant } = validate(REQUESTS.warmSnapshots.body, await readJsonObject(req))
  await authorizeWarm(caller, restaurant)
  return json(200, await warmRestaurant(restaurant))
}

export const handler = functionHandler('snapshot', {
  snapshot: ({ req, url }) => getSnapshot(req, url),
  warmSnapshots: ({ req }) => warm(req),
})
