import type { IncomingMessage } from 'node:http'

/**
 * What a request names, checked once at the door of the API server so no route ever parses a raw request line:
 * the request target (RFC 9112 §3.2: origin-form `/p?q`, absolute-form `http://h/p?q`, asterisk-form `*`) and the
 * Host header (`uri-host [":" port]`). A request either yields a path every `new URL(path, base)` accepts, or a
 * reason for a 400 — never an exception.
 */
export type ParsedTarget = { ok: true; path: string; search: string } | { ok: false; reason: string }

// reg-name (unreserved and sub-delims, no percent-encoding) or an IP literal, then an optional port.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=-]+)(?::(\d{0,5}))?$/

export function parseTarget(target: string | undefined): ParsedTarget {
  if (!target) return { ok: false, reason: 'empty request target' }
  if (target === '*') return { ok: true, path: '*', search: '' }
  let url: URL
  try {
    // origin-form against a fixed authority, so `//[`-like paths stay paths instead of becoming hosts
    url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target)
  } catch {
    return { ok: false, reason: 'malformed request target' }
  }
  if (
    url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ws:' && url.protocol !== 'wss:'
  ) {
    return { ok: false, reason: 'request target must be a path or an http(s) URL' }
  }
  // `//x` would read as a host to every route that parses `req.url` against a base
  return { ok: true, path: url.pathname.replace(/^\/{2,}/, '/'), search: url.search }
}

/**
 * The target as a URL for a handler's own reading (query parameters): null when it does not parse. Behind the API
 * server every target has been normalized already; handlers mounted elsewhere (tests) get the same rules.
 */
export function targetUrl(target: string | undefined): URL | null {
  const parsed = parseTarget(target)
  return parsed.ok ? new URL(`${parsed.path}${parsed.search}`, 'http://localhost') : null
}

/** Whether a Host header value is a host and optional port a URL can carry (absent is fine: HTTP/1.0). */
export function isValidHost(host: string | undefined): boolean {
  if (host === undefined) return true
  const match = HOST.exec(host)
  if (!match || (match[1] && Number(match[1]) > 65_535)) return false
  try {
    new URL(`http://${host}`)
    return true
  } catch {
    return false
  }
}

/**
 * Checks the request's target and Host and rewrites `req.url` to its normalized origin-form (dot segments
 * resolved, unsafe characters percent-encoded), so every route sees what the router matched on.
 */
export function normalizeRequest(req: IncomingMessage): ParsedTarget {
  if (!isValidHost(req.headers.host)) return { ok: false, reason: 'malformed Host header' }
  const parsed = parseTarget(req.url)
  if (parsed.ok) req.url = `${parsed.path}${parsed.search}`
  return parsed
}
