// The request pipeline every function shares: CORS preflight, routing by method + path, errors as JSON.
import { createLogger } from '@plater/shared/log.ts'
import { readRequestBody } from '@plater/shared/http/body.ts'
import { preflight, withCors } from './cors.ts'
import { HttpError, toHttpError } from './errors.ts'

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  })
}

export interface RouteContext {
  req: Request
  url: URL
  /** Path parameters by name (`:id` in the pattern), still strings; handlers validate them. */
  params: Record<string, string>
  /** The path inside the function, e.g. `/12ab…/items` for `POST /functions/v1/orders/12ab…/items`. */
  path: string
}

export type RouteHandler = (ctx: RouteContext) => Promise<Response>

export interface Route {
  method: 'GET' | 'POST'
  /** Relative to the function: '' (the function itself), '/:id/start', … */
  pattern: string
  handler: RouteHandler
}

/**
 * The path inside the function. Hosted Supabase hands a function `/<name>/…`; some proxies keep the
 * `/functions/v1` prefix; both are accepted.
 */
export function functionPath(name: string, pathname: string): string | undefined {
  let path = pathname.startsWith('/functions/v1/') ? pathname.slice('/functions/v1'.length) : pathname
  if (path !== `/${name}` && !path.startsWith(`/${name}/`)) return undefined
  path = path.slice(name.length + 1)
  return path.endsWith('/') ? path.slice(0, -1) : path
}

function split(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/')
}

export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = split(pattern)
  const got = split(path)
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!
    const value = got[i]!
    if (segment.startsWith(':')) {
      if (value === '') return undefined
      try {
        params[segment.slice(1)] = decodeURIComponent(value)
      } catch {
        return undefined // malformed percent-encoding: no route
      }
    } else if (segment !== value) {
      return undefined
    }
  }
  return params
}

/** Routes a request inside function `name`; 404 for an unknown path, 405 (with Allow) for a wrong method. */
export function createHandler(name: string, routes: Route[]): (req: Request) => Promise<Response> {
  const log = createLogger(name)
  return async (req) => {
    const early = preflight(req)
    if (early) return early
    try {
      const url = new URL(req.url)
      const path = functionPath(name, url.pathname)
      if (path === undefined) throw new HttpError(404, 'not_found', `no route ${req.method} ${url.pathname}`)
      const allowed: string[] = []
      for (const route of routes) {
        const params = matchPattern(route.pattern, path)
        if (!params) continue
        if (route.method !== req.method) {
          allowed.push(route.method)
          continue
        }
        return withCors(await route.handler({ req, url, params, path }))
      }
      if (allowed.length > 0) {
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here`, undefined, {
          allow: [...allowed, 'OPTIONS'].join(', '),
        })
      }
      throw new HttpError(404, 'not_found', `no route ${req.method} ${url.pathname}`)
    } catch (error) {
      const http = toHttpError(error)
      if (http.status >= 500) log.error(`${req.method} ${req.url} failed`, { error: http.cause ?? http })
      return withCors(http.toResponse())
    }
  }
}

/** The JSON body of a request: `{}` when empty, 400 when it is not a JSON object, 413 over `limitBytes`. */
export async function readJsonObject(
  req: Request,
  limitBytes = 256 * 1024,
): Promise<Record<string, unknown>> {
  const bytes = await readRequestBody(req, limitBytes)
  const text = new TextDecoder().decode(bytes)
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_json', 'the body must be a JSON object')
  }
  return value as Record<string, unknown>
}
