import { type ServerResponse, STATUS_CODES } from 'node:http'
import { HttpError } from '../../contract/errors.ts'
import { CORS_ORIGIN, preflightHeaders } from '../../shared/http/cors.ts'

/**
 * How the stack's Node services answer, one definition for all of them (CORS as the functions answer it too,
 * shared/http/cors.ts). An answer other than success is the contract's HttpError (contract/errors.ts, the one the functions throw too), thrown inside a service and sent by
 * `sendError`. Each service keeps the error body its Supabase counterpart sends — `{code, message}` for the
 * functions relay and the API server, `{message}` for Realtime, GoTrue's own for auth — through `HttpError.body`
 * or the body it passes to `sendError`.
 */
export { CORS_ORIGIN, HttpError, preflightHeaders }

/**
 * On every answer of the API server: no content sniffing (a JSON error echoing input is never run as HTML or
 * script) and no Referer carrying a console URL (ids of restaurants, stations, orders) to anyone else.
 */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendSameOriginJson(res, status, body, { ...CORS_ORIGIN, ...headers })
}

/** JSON no other origin may read (no CORS headers): what only the page served by the stack itself needs. */
export function sendSameOriginJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** Sends `error` unless an answer has already started (then there is nobody left to tell). */
export function sendError(res: ServerResponse, error: HttpError, body: unknown = error.body): void {
  if (res.headersSent || res.destroyed) return
  sendJson(res, error.status, body, error.headers)
}

/**
 * A whole HTTP/1.1 answer as bytes, for a socket the HTTP server no longer writes to: a refused upgrade, a
 * request line it could not parse. JSON `{code, message}` like every other error of the API server.
 */
export function rawJsonResponse(error: HttpError): string {
  const text = JSON.stringify(error.body)
  const headers = {
    ...CORS_ORIGIN,
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  }
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n${
    lines.join('\r\n')
  }\r\n\r\n${text}`
}
