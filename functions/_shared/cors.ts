// CORS for browser clients (supabase-js sends authorization, apikey, x-client-info and content-type; our
// mutations add idempotency-key and if-match, snapshot revalidation if-none-match).

import { CORS_ORIGIN, preflightHeaders } from '@plater/shared/http/cors.ts'

/** On every response: who may read it, and which headers a browser script may see. */
export const responseCorsHeaders: Record<string, string> = {
  ...CORS_ORIGIN,
  'access-control-expose-headers': 'etag, idempotent-replayed, retry-after, allow',
}

/** On a preflight answer: what a request may use. */
export const corsHeaders: Record<string, string> = {
  ...responseCorsHeaders,
  ...preflightHeaders(['GET', 'POST'], [
    'authorization',
    'x-client-info',
    'apikey',
    'content-type',
    'idempotency-key',
    'if-match',
    'if-none-match',
    'x-supabase-api-version',
    'x-region',
  ]),
}

/** The answer to a CORS preflight; null when `req` is not one. */
export function preflight(req: Request): Response | null {
  if (req.method !== 'OPTIONS') return null
  return new Response(null, { status: 204, headers: corsHeaders })
}

export function withCors(response: Response): Response {
  for (const name in responseCorsHeaders) {
    if (!response.headers.has(name)) response.headers.set(name, responseCorsHeaders[name]!)
  }
  return response
}
