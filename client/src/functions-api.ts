import type { ErrorCode } from '../../contract/errors.ts'
import type { CatchUp, Menu, RefetchDetails, Session, Snapshot } from '../../contract/payloads.ts'
import { FUNCTIONS_PREFIX, routePath, type RouteQueries } from '../../contract/routes.ts'
import type { Clock } from '../../shared/clock.ts'
import { ApiError, NetworkError } from './errors.ts'

export interface FunctionsApiOptions {
  supabaseUrl: string
  anonKey: string
  fetch: typeof fetch
  accessToken: () => Promise<string | null>
  clock: Clock
  requestTimeoutMs: number
}

/** A conditional GET: the body and its ETag, or "not modified". */
export type Revalidated<T> = { modified: true; body: T; etag: string | null } | { modified: false }

export type CatchUpAnswer = { ok: true; page: CatchUp } | { ok: false; refetch: RefetchDetails }

/** The edge functions the client reads and writes through (`/functions/v1/*`). */
export class FunctionsApi {
  readonly #base: string
  readonly #options: FunctionsApiOptions

  constructor(options: FunctionsApiOptions) {
    this.#options = options
    this.#base = options.supabaseUrl.replace(/\/+$/, '') + FUNCTIONS_PREFIX
  }

  /** One request; an error answer throws ApiError, no answer throws NetworkError. */
  async request(
    method: 'GET' | 'POST',
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    const token = (await this.#options.accessToken()) ?? this.#options.anonKey
    const headers: Record<string, string> = {
      apikey: this.#options.anonKey,
      authorization: `Bearer ${token}`,
      ...init.headers,
    }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    const abort = new AbortController()
    const timer = this.#options.clock.setTimeout(() => abort.abort(), this.#options.requestTimeoutMs)
    let response: Response
    try {
      response = await this.#options.fetch(this.#base + path, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: abort.signal,
      })
    } catch (error) {
      throw new NetworkError(
        abort.signal.aborted
          ? `${method} ${path}: no answer in ${this.#options.requestTimeoutMs} ms`
          : `${method} ${path}: ${(error as Error).message}`,
        error,
      )
    } finally {
      this.#options.clock.clearTimeout(timer)
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      throw new NetworkError(`${method} ${path}: the answer was cut off`, error)
    }
    const body: unknown = text === '' ? null : parseJson(text)
    if (response.status >= 400) throw apiError(response, body, `${method} ${path}`)
    return { status: response.status, headers: response.headers, body }
  }

  async #revalidate<T>(path: string, etag: string | null): Promise<Revalidated<T>> {
    const answer = await this.request('GET', path, { headers: etag ? { 'if-none-match': etag } : {} })
    if (answer.status === 304) return { modified: false }
    return { modified: true, body: answer.body as T, etag: answer.headers.get('etag') }
  }

  snapshot(topic: string, etag: string | null): Promise<Revalidated<Snapshot>> {
    return this.#revalidate<Snapshot>(queried('snapshot', { topic }), etag)
  }

  async catchUp(topic: string, after: number, epoch: string | null): Promise<CatchUpAnswer> {
    try {
      const answer = await this.request(
        'GET',
        queried('catchUp', { topic, after, epoch: epoch || undefined }),
      )
      return { ok: true, page: answer.body as CatchUp }
    } catch (error) {
      if (error instanceof ApiError && error.code === ('refetch_snapshot' satisfies ErrorCode)) {
        return { ok: false, refetch: (error.details ?? {}) as RefetchDetails }
      }
      throw error
    }
  }

  session(etag: string | null): Promise<Revalidated<Session>> {
    return this.#revalidate<Session>(routePath('session', {}), etag)
  }

  menu(etag: string | null): Promise<Revalidated<Menu>> {
    return this.#revalidate<Menu>(routePath('menu', {}), etag)
  }
}

/** A read route's path with its query (the parameters left undefined are left out). */
function queried<R extends keyof RouteQueries>(route: R, query: RouteQueries[R]): string {
  const pairs = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value as string | number)}`)
  return `${routePath<keyof RouteQueries>(route, {})}?${pairs.join('&')}`
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return { code: 'invalid_response' satisfies ErrorCode, message: text.slice(0, 200) }
  }
}

function apiError(response: Response, body: unknown, what: string): ApiError {
  const answer = (body ?? {}) as { code?: unknown; message?: unknown; details?: unknown }
  const retryAfter = Number(response.headers.get('retry-after'))
  return new ApiError(
    typeof answer.code === 'string' ? answer.code : `http_${response.status}`,
    typeof answer.message === 'string' ? answer.message : `${what} answered ${response.status}`,
    response.status,
    answer.details,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  )
}
