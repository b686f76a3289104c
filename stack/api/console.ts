import { createReadStream, existsSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import type { StackConfig } from '../config.ts'
import { openDb } from '../db-connection.ts'
import type { Logger } from '../log.ts'
import type { ApiRoute } from './route.ts'
import { sendSameOriginJson } from './respond.ts'

/**
 * The console (console/, a Vite build) at `/`, under every path no other route claims:
 *
 *   GET /console-config.json   what the built app cannot know: the anon key, and on a development stack (its own
 *                              embedded, seeded database) the seeded staff accounts the sign-in page lists with their
 *                              shared password. Same-origin only: no CORS headers, so no other site's page reads it.
 *   GET /assets/…, /…          files of console/dist (hashed assets cached for good, index.html revalidated); never
 *                              source maps (`vite` dev has them; a served map would hand out the whole source)
 *   GET /, /kds/grill, /expo…  index.html (for `/`, and for any browser navigation, Accept: text/html, so deep
 *                              links work)
 *
 * Anything else keeps the API server's JSON 404, so an API client that mistypes a path is not handed HTML.
 * The stack only serves the build; building it is the app's step (console/build.ts), which `plater start` and
 * `plater test` run before the stack starts (stack/commands/console-build.ts), so they never serve a stale console.
 */
const CONFIG_PATH = '/console-config.json'
// supabase/seed.sql gives every seeded account this password (development only).
const SEED_PASSWORD = 'plater-demo'
const NOT_BUILT = 'the console is not built (console/dist)'

/**
 * The console's pages load only their own scripts, styles and connections (the API and its WebSocket are the same
 * origin), and no other site may frame them (clickjacking a KDS "bump" or a manager's screen).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

export interface SeededAccount {
  email: string
  displayName: string
  role: string
  station: string | null
  restaurant: string
}

export function createConsoleRoute(config: StackConfig, log: Logger): ApiRoute {
  const consoleDist = join(config.repoRoot, 'console', 'dist')
  // The API comes up regardless; `/` then says what is wrong.
  if (!existsSync(join(consoleDist, 'index.html'))) {
    log.warn(`${NOT_BUILT}; \`npm run build:console\` builds it`)
  }
  const sql = openDb(config.dbUrl, 'console', { idleTimeout: 10, connectTimeout: 2 })

  function accounts(): Promise<SeededAccount[]> {
    return sql<SeededAccount[]>`
      select u.email, s.display_name as "displayName", s.role::text as role, st.slug as station, r.name as restaurant
        from public.staff s
        join auth.users u on u.id = s.user_id
        join public.restaurants r on r.id = s.restaurant_id
        left join public.stations st on st.id = s.station_id
       where s.active
       order by r.name, array_position(array['manager','expo','cook','server'], s.role::text), u.email`
  }

  return {
    prefix: '',
    async handleRequest(req, res) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname
      if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res, path)
      if (path === CONFIG_PATH) {
        const development = config.externalDb
          ? {}
          : { accounts: await accounts(), accountPassword: SEED_PASSWORD }
        sendSameOriginJson(res, 200, { anonKey: config.anonKey, accounts: [], ...development }, {
          'cache-control': 'no-store',
        })
        return
      }
      const file = fileFor(consoleDist, path)
      if (file) return sendFile(req, res, consoleDist, file)
      if (path === '/' || wantsPage(req, path)) {
        const index = join(consoleDist, 'index.html')
        if (existsSync(index)) return sendFile(req, res, consoleDist, index)
        sendSameOriginJson(res, 503, {
          code: 'console_not_built',
          message: `${NOT_BUILT}: run \`npm run build:console\``,
        })
        return
      }
      notFound(res, path)
    },
    close: () => sql.end({ timeout: 2 }),
  }
}

// The console is only ever read by its own pages: none of its answers carries CORS headers.
function notFound(res: ServerResponse, path: string): void {
  sendSameOriginJson(res, 404, { code: 'not_found', message: `no route for ${path}` })
}

/** A file of the build for this path, never one outside it. */
function fileFor(consoleDist: string, path: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return undefined
  }
  if (decoded === '/' || decoded.includes('\0') || extname(decoded) === '.map') return undefined
  const file = normalize(join(consoleDist, decoded))
  if (!file.startsWith(consoleDist + sep)) return undefined
  return existsSync(file) && statSync(file).isFile() ? file : undefined
}

/** A browser navigating to one of the app's pages (not a missing asset, not an API client). */
function wantsPage(req: IncomingMessage, path: string): boolean {
  return extname(path) === '' && (req.headers.accept ?? '').includes('text/html')
}

function sendFile(req: IncomingMessage, res: ServerResponse, consoleDist: string, file: string): void {
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'
  const immutable = file.startsWith(join(consoleDist, 'assets') + sep)
  res.writeHead(200, {
    'content-type': type,
    'content-length': statSync(file).size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(type.startsWith('text/html') &&
      { 'content-security-policy': CONSOLE_CSP, 'x-frame-options': 'DENY' }),
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file).pipe(res)
}
