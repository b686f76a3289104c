import type { IncomingMessage } from 'node:http'
import { readSupabaseConfig } from '../supabase-config.ts'

/**
 * Which browser pages may call the password and refresh grants. Not any origin (GoTrue's `*`): a page from the
 * internet could then try passwords against a developer's local stack through their browser, or read a session.
 * Allowed: pages served from this machine (an app under `vite` on localhost, the console itself) and the app's
 * own URLs as supabase/config.toml names them for Auth (`site_url`, `additional_redirect_urls`).
 */
export class AppOrigins {
  readonly #configured: ReadonlySet<string>

  constructor(configured: Iterable<string>) {
    this.#configured = new Set([...configured].flatMap((url) => originOf(url) ?? []))
  }

  static fromSupabaseConfig(repoRoot: string): AppOrigins {
    const auth = (readSupabaseConfig(repoRoot).auth ?? {}) as {
      site_url?: unknown
      additional_redirect_urls?: unknown
    }
    const urls = [
      auth.site_url,
      ...(Array.isArray(auth.additional_redirect_urls) ? auth.additional_redirect_urls : []),
    ]
    return new AppOrigins(urls.filter((url): url is string => typeof url === 'string'))
  }

  allows(origin: string): boolean {
    const parsed = originOf(origin)
    return parsed !== undefined && (this.#configured.has(parsed) || isLoopback(new URL(parsed).hostname))
  }

  /** CORS headers for a request: its Origin echoed when allowed; always `Vary: Origin` (the answer depends on it). */
  headersFor(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin
    return origin && this.allows(origin)
      ? { 'access-control-allow-origin': origin, vary: 'Origin' }
      : { vary: 'Origin' }
  }
}

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined
  } catch {
    return undefined
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
}
