// Small reads about the caller that have no version of their own (session, menu): ONE statement as the caller
// (RLS and the staff check run in the database, so a deactivated staff member is refused on the next request),
// the answer's bytes hashed into a strong ETag, and 304 when If-None-Match already names them. Revalidation
// saves the transfer and the client's work, not the query: these reads are small, and checking access on every
// request is the point.
import { authenticate, requireUser } from './auth.ts'
import { readAs } from './db.ts'
import { contentEtag, ifNoneMatchHits } from './etag.ts'
import type { RouteHandler } from './http.ts'
import { functionHandler, type RoutesOf } from './routes.ts'

const CACHE_CONTROL = 'private, no-cache'

/** A function answering `GET /<name>` with the JSON value of `statement` (selecting one column, `body`). */
export function staffReadHandler<F extends 'session' | 'menu'>(
  name: F,
  statement: string,
): (req: Request) => Promise<Response> {
  const read: RouteHandler = async ({ req }) => {
    const caller = requireUser(await authenticate(req))
    const [row] = await readAs<{ body: unknown }>(caller, statement)
    const body = JSON.stringify(row!.body)
    const etag = await contentEtag(body)
    const headers = { etag, 'cache-control': CACHE_CONTROL }
    if (ifNoneMatchHits(req.headers.get('if-none-match'), etag)) {
      return new Response(null, { status: 304, headers })
    }
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    })
  }
  // the route of each of these functions is named after it
  return functionHandler(name, { [name]: read } as { [R in RoutesOf<F>]: RouteHandler })
}
