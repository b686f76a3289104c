// POST /warm {restaurant} — pre-builds a restaurant's snapshots (e.g. at shift start) and answers
// {restaurant, built: [{topic, seq, bytes}], ms}.
//
// The snapshot cache lives in memory of the `snapshot` function, and each function runs in its own isolate (on
// hosted Supabase and in the local functions host alike), so this function cannot fill that cache itself: it hands
// the request, with the caller's credentials, to `snapshot/warm`, which authorises and builds in the instance that
// serves the snapshots. With several instances of `snapshot` (hosted, under load) it warms the one it reaches;
// correctness never depends on warmth, since every read is validated by seq.
import { bearerToken, verifyToken } from '../_shared/auth.ts'
import { requireEnv } from '../_shared/env.ts'
import { HttpError } from '../_shared/errors.ts'
import { readJsonObject } from '../_shared/http.ts'
import { functionHandler } from '../_shared/routes.ts'
import { FUNCTIONS_PREFIX, routePath } from '@plater/contract/routes.ts'

async function forward(req: Request): Promise<Response> {
  await verifyToken(bearerToken(req)) // answer 401 here rather than after a hop
  // Read and check the body here too: bounded, and a malformed one answered without a hop.
  const body = JSON.stringify(await readJsonObject(req))
  const headers = new Headers({ 'content-type': 'application/json' })
  for (const name of ['authorization', 'apikey', 'x-client-info']) {
    const value = req.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  let upstream: Response
  try {
    upstream = await fetch(
      new URL(FUNCTIONS_PREFIX + routePath('warmSnapshots', {}), requireEnv('SUPABASE_URL')),
      {
        method: 'POST',
        headers,
        body,
      },
    )
  } catch (error) {
    throw new HttpError(
      502,
      'snapshot_unreachable',
      'the snapshot function could not be reached',
      undefined,
      {},
      {
        cause: error,
      },
    )
  }
  return new Response(upstream.body, {
    status: upstream.status,
    headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json; charset=utf-8' },
  })
}

export const handler = functionHandler('warm', { warm: ({ req }) => forward(req) })
