import type { ServerResponse } from 'node:http';

/**
 * How the stack's Node services answer, one definition for all of them (the Deno functions have theirs in
 * functions/_shared/errors.ts and cors.ts). Each service keeps the error body its Supabase counterpart sends —
 * `{code, message}` for the functions relay and the API server, `{message}` for Realtime, GoTrue's own for auth —
 * through `HttpError.body`.
 */

/** Every response may be read by any origin: the local stack, like Supabase's API gateway, is open to browsers. */
export const CORS_ORIGIN = { 'access-control-allow-origin': '*' } as const;

/** The answer headers of a CORS preflight for a service that takes `methods` and request headers `headers`. */
export function preflightHeaders(methods: readonly string[], headers: readonly string[]): Record<string, string> {
  return {
    ...CORS_ORIGIN,
    'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
    'access-control-allow-headers': headers.join(', '),
    'access-control-max-age': '86400',
  };
}

/** An answer other than success: thrown inside a service, sent by `sendError`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The JSON body; a service whose Supabase counterpart answers differently passes its own shape to sendError. */
  get body(): Record<string, unknown> {
    return { code: this.code, message: this.message };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_ORIGIN,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends `error` unless an answer has already started (then there is nobody left to tell). */
export function sendError(res: ServerResponse, error: HttpError, body: unknown = error.body): void {
  if (res.headersSent || res.destroyed) return;
  sendJson(res, error.status, body, error.headers);
}
