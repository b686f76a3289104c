import type { IncomingMessage } from 'node:http'

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * The request's `x-*` headers (Phoenix's x_headers), which Realtime hands to RLS policies as
 * `request.headers`. Most clients send none: they all share one frozen empty object.
 */
export function xHeaders(req: IncomingMessage): Readonly<Record<string, string>> {
  let headers: Record<string, string> | null = null
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-') && typeof value === 'string') (headers ??= {})[name] = value
  }
  return headers ?? NO_HEADERS
}
