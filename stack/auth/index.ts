import type { IncomingMessage, ServerResponse } from 'node:http'
import { BodyTooLarge } from '../../shared/http/body.ts'
import { bearerToken } from '../../shared/http/bearer.ts'
import { readNodeBody } from '../../shared/http/node-body.ts'
import {
  CORS_ORIGIN,
  HttpError,
  preflightHeaders,
  sendError,
  sendJson,
  sendSameOriginJson,
} from '../api/respond.ts'
import type { ApiRoute } from '../api/route.ts'
import { JWKS_PATH, type StackConfig } from '../config.ts'
import type { Logger } from '../log.ts'
import { AppOrigins } from './app-origins.ts'
import { AuthDb, AuthDbUnavailable } from './db.ts'
import { type Admission, RateLimiter } from './rate-limit.ts'
import { AUTH_SCHEMA, pruneAuthState } from './schema.ts'
import {
  type AccessClaims,
  AUTH_ISSUER_PATH,
  hashRefreshToken,
  newRefreshToken,
  TokenSigner,
} from './user-tokens.ts'
import { userJson, type UserRow } from './users.ts'
import { stackVerifier } from './verify.ts'

/**
 * The local auth subset at `/auth/v1`, shaped like Supabase Auth (GoTrue) so the official client's
 * `signInWithPassword`, `refreshSession`, `getUser` and `signOut` work against the stack:
 *
 *   POST /auth/v1/token?grant_type=password       {email, password}  → session
 *   POST /auth/v1/token?grant_type=refresh_token  {refresh_token}    → session (the refresh token rotates)
 *   GET  /auth/v1/user                            Bearer <access token> → user
 *   POST /auth/v1/logout?scope=global|local|others Bearer <access token> → 204
 *   GET  /auth/v1/health
 *   GET  /auth/v1/.well-known/jwks.json           the public signing keys (no apikey needed, as on Supabase)
 *
 * Passwords are checked in the database against auth.users.encrypted_password (bcrypt) with pgcrypto's crypt().
 * Access tokens are ES256 (stack/auth/user-tokens.ts); tokens are verified with the one rule set (shared/auth/verify.ts,
 * through stack/auth/verify.ts). Like Supabase's API gateway, every other request needs an `apikey`: a legacy
 * anon/service_role JWT or a `sb_publishable_…` / `sb_secret_…` key. Errors are
 * `{code, message}` with `X-Supabase-Api-Version: 2024-01-01`, which supabase-js reads as error codes.
 * Refresh-token rotation follows GoTrue: a used token may be presented again for 10 s (concurrent refreshes,
 * `refresh_token_reuse_interval`); after that a reuse revokes the whole session.
 *
 * Edges, as GoTrue's: each caller IP has a budget of sign-ins and of refreshes (supabase/config.toml
 * `[auth.rate_limit]`, stack/auth/rate-limit.ts); past it the answer is 429 `over_request_rate_limit` with
 * Retry-After. Every database wait is bounded (stack/auth/db.ts): a stalled or dead database answers 503
 * `retry_later` with Retry-After (supabase-js retries a 503 as AuthRetryableFetchError), never 500 or a hang.
 */
const PREFIX = AUTH_ISSUER_PATH
// Sign-in and refresh answer CORS only to the app's own origins (app-origins.ts): no other site's page may try
// passwords through its visitors' browsers or read a session (its preflight fails).
const TOKEN_PATH = '/token'
const API_VERSION = '2024-01-01'
const REUSE_INTERVAL_SECONDS = 10
// bcrypt of a random password: compared against when the email is unknown, so both cases cost the same time.
const DUMMY_HASH = '$2a$10$WuRXhfT4aPROORzzRO1Tgeuuod7rpfUW7FA/Sbv7iCkUjIY6Mw29i'

// supabase-js reads error codes only from answers that carry GoTrue's API version.
const versionHeader = { 'x-supabase-api-version': API_VERSION }
/** Seconds a caller waits before retrying a request the database could not serve. */
const DB_RETRY_AFTER_SECONDS = 1

/** GoTrue's answers: the one HttpError, with the API version header supabase-js reads error codes under. */
class AuthError extends HttpError {
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(status, code, message, undefined, { ...versionHeader, ...headers })
  }
}

/** GoTrue's answer past a rate limit (its `over_request_rate_limit`, "Request rate limit reached"). */
function admit(admission: Admission): void {
  if (admission.allowed) return
  throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached', {
    'retry-after': String(admission.retryAfterSeconds),
  })
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body !== undefined) return sendJson(res, status, body, versionHeader)
  res.writeHead(status, { ...CORS_ORIGIN, ...versionHeader })
  res.end()
}

// GoTrue's bodies are small (an email and a password, a refresh token).
const MAX_BODY_BYTES = 64 * 1024

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let bytes: Buffer
  try {
    bytes = await readNodeBody(req, MAX_BODY_BYTES)
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new AuthError(413, 'request_too_large', 'request body too large')
    throw error
  }
  const text = bytes.toString('utf8')
  if (text.trim() === '') return {}
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>
    }
  } catch {
    // answered below
  }
  throw new AuthError(400, 'bad_json', 'Could not parse request body as JSON')
}

/** The peer address the limits count against (not X-Forwarded-For: nothing in front of the stack sets it honestly). */
function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown'
}

function bearer(req: IncomingMessage): string {
  const token = bearerToken(req.headers.authorization)
  if (token === undefined) {
    throw new AuthError(401, 'no_authorization', 'This endpoint requires a Bearer token')
  }
  return token
}

export interface AuthRoute extends ApiRoute {
  readonly signer: TokenSigner
}

export async function createAuthRoute(config: StackConfig, log: Logger): Promise<AuthRoute> {
  const db = new AuthDb(config.dbUrl, log)
  await db.run((sql) => pruneAuthState(sql))
  const pruneTimer = setInterval(() => {
    db.run((sql) => pruneAuthState(sql)).catch((error: unknown) =>
      log.warn('pruning sessions failed', { error })
    )
  }, 60 * 60 * 1000)
  pruneTimer.unref()
  const [columns] = await db.run((sql) =>
    sql<{ last_sign_in: boolean }[]>`
    select exists (select from information_schema.columns
                    where table_schema = 'auth' and table_name = 'users' and column_name = 'last_sign_in_at') as last_sign_in`
  )
  const limits = {
    password: new RateLimiter(config.authRateLimits.sign_in_sign_ups),
    refresh_token: new RateLimiter(config.authRateLimits.token_refresh),
  }
  const appOrigins = AppOrigins.fromSupabaseConfig(config.repoRoot)
  const tracksSignIn = columns?.last_sign_in === true
  const signer = new TokenSigner(config.signingKey, `${config.apiUrl}${PREFIX}`)
  const verifier = stackVerifier(config)
  const jwks = JSON.stringify(config.jwks)

  async function requireApiKey(req: IncomingMessage): Promise<void> {
    const header = req.headers.apikey
    const apikey = Array.isArray(header) ? header[0] : header
    if (!apikey) throw new AuthError(401, 'no_api_key', 'No API key found in request')
    if (!(await verifier.verify(apikey)).ok) throw new AuthError(401, 'invalid_api_key', 'Invalid API key')
  }

  async function session(user: UserRow, sessionId: string, refreshToken: string) {
    const { token, expiresAt } = await signer.accessToken(
      {
        id: user.id,
        email: user.email,
        app_metadata: userJson(user).app_metadata,
        user_metadata: userJson(user).user_metadata,
      },
      sessionId,
    )
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: signer.ttlSeconds,
      expires_at: expiresAt,
      refresh_token: refreshToken,
      user: userJson(user),
    }
  }

  async function passwordGrant(req: IncomingMessage) {
    const body = await readJson(req)
    const email = typeof body.email === 'string' ? body.email.trim() : ''
    const password = typeof body.password === 'string' ? body.password : ''
    if (email === '' || password === '') {
      throw new AuthError(400, 'validation_failed', 'You must provide an email and a password')
    }
    const refresh = newRefreshToken()
    const userAgent = req.headers['user-agent'] ?? null
    const { user, sessionId } = await db.run(async (sql) => {
      const [match] = await sql<{ user: UserRow; ok: boolean }[]>`
        select to_jsonb(u) - 'encrypted_password' as user,
               coalesce(u.encrypted_password = extensions.crypt(${password}, u.encrypted_password), false) as ok
          from auth.users u where lower(u.email) = lower(${email})`
      if (!match) await sql`select extensions.crypt(${password}, ${DUMMY_HASH})`
      if (!match?.ok) throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials')
      const sessionId = await sql.begin(async (tx) => {
        const [created] = await tx<{ id: string }[]>`
          insert into ${
          tx(AUTH_SCHEMA)
        }.sessions (user_id, user_agent) values (${match.user.id}, ${userAgent}) returning id`
        await tx`insert into ${
          tx(AUTH_SCHEMA)
        }.refresh_tokens (token_hash, session_id) values (${refresh.hash}, ${created!.id})`
        if (tracksSignIn) await tx`update auth.users set last_sign_in_at = now() where id = ${match.user.id}`
        return created!.id
      })
      return { user: match.user, sessionId }
    })
    return session(
      { ...user, last_sign_in_at: tracksSignIn ? new Date().toISOString() : user.last_sign_in_at },
      sessionId,
      refresh.token,
    )
  }

  async function refreshGrant(req: IncomingMessage) {
    const body = await readJson(req)
    const presented = typeof body.refresh_token === 'string' ? body.refresh_token : ''
    if (presented === '') throw new AuthError(400, 'validation_failed', 'refresh_token is required')
    const presentedHash = hashRefreshToken(presented)

    const outcome = await db.run((sql) =>
      sql.begin(async (tx) => {
        const [row] = await tx<
          { session_id: string; user_id: string; revoked_recently: boolean | null; revoked: boolean }[]
        >`
        select t.session_id, s.user_id, t.revoked_at is not null as revoked,
               t.revoked_at > now() - make_interval(secs => ${REUSE_INTERVAL_SECONDS}) as revoked_recently
          from ${tx(AUTH_SCHEMA)}.refresh_tokens t join ${tx(AUTH_SCHEMA)}.sessions s on s.id = t.session_id
         where t.token_hash = ${presentedHash}
           for update of s`
        if (!row) {
          throw new AuthError(
            400,
            'refresh_token_not_found',
            'Invalid Refresh Token: Refresh Token Not Found',
          )
        }
        if (row.revoked && !row.revoked_recently) {
          // a stolen-and-replayed token: end the whole session, as GoTrue's reuse detection does
          await tx`delete from ${tx(AUTH_SCHEMA)}.sessions where id = ${row.session_id}`
          return { revokedSession: true as const }
        }
        // Rotate: revoke every live token of the session (the presented one, or its successor when a concurrent
        // refresh got there first within the reuse interval) and issue one new token.
        await tx`
        update ${tx(AUTH_SCHEMA)}.refresh_tokens set revoked_at = now()
         where session_id = ${row.session_id} and revoked_at is null`
        const next = newRefreshToken()
        await tx`
        insert into ${tx(AUTH_SCHEMA)}.refresh_tokens (token_hash, session_id, parent_hash)
        values (${next.hash}, ${row.session_id}, ${presentedHash})`
        await tx`update ${tx(AUTH_SCHEMA)}.sessions set refreshed_at = now() where id = ${row.session_id}`
        const [user] = await tx<{ user: UserRow }[]>`
        select to_jsonb(u) - 'encrypted_password' as user from auth.users u where u.id = ${row.user_id}`
        if (!user) throw new AuthError(400, 'user_not_found', 'User from refresh token not found')
        return {
          revokedSession: false as const,
          sessionId: row.session_id,
          user: user.user,
          token: next.token,
        }
      })
    )
    // Thrown outside the transaction so the session revocation commits.
    if (outcome.revokedSession) {
      throw new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used')
    }
    return session(outcome.user, outcome.sessionId, outcome.token)
  }

  /** The verified user claims of the request's access token, with its session still alive. */
  async function currentUser(req: IncomingMessage): Promise<{ claims: AccessClaims; user: UserRow }> {
    const verified = await verifier.verify(bearer(req))
    if (!verified.ok) throw new AuthError(403, 'bad_jwt', `invalid JWT: ${verified.message}`)
    const claims = verified.claims as AccessClaims
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim')
    }
    const [row] = await db.run((sql) =>
      sql<{ user: UserRow | null; session_alive: boolean }[]>`
      select (select to_jsonb(u) - 'encrypted_password' from auth.users u where u.id::text = ${claims.sub}) as user,
             ${claims.session_id ?? null}::text is null
               or exists (select from ${sql(AUTH_SCHEMA)}.sessions s where s.id::text = ${
        claims.session_id ?? null
      }::text)
               as session_alive`
    )
    if (!row?.user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist')
    if (!row.session_alive) {
      throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist')
    }
    return { claims, user: row.user }
  }

  async function logout(req: IncomingMessage, scope: string): Promise<void> {
    if (!['global', 'local', 'others'].includes(scope)) {
      throw new AuthError(400, 'validation_failed', 'scope must be global, local or others')
    }
    let claims: AccessClaims
    try {
      ;({ claims } = await currentUser(req))
    } catch (error) {
      // an already-ended session is signed out: nothing to do
      if (error instanceof AuthError && error.code === 'session_not_found') return
      throw error
    }
    const sessionId = claims.session_id ?? null
    await db.run(async (sql) => {
      if (scope === 'global') {
        await sql`delete from ${sql(AUTH_SCHEMA)}.sessions where user_id::text = ${claims.sub}`
      } else if (scope === 'local') {
        await sql`delete from ${sql(AUTH_SCHEMA)}.sessions where id::text = ${sessionId}::text`
      } else {
        await sql`delete from ${sql(AUTH_SCHEMA)}.sessions
                   where user_id::text = ${claims.sub} and id::text is distinct from ${sessionId}::text`
      }
    })
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.slice(PREFIX.length) || '/'
    try {
      if (req.method === 'OPTIONS') {
        const preflight = preflightHeaders(['GET', 'POST', 'PUT'], [
          'authorization',
          'apikey',
          'content-type',
          'x-client-info',
          'x-supabase-api-version',
        ])
        res.writeHead(204, {
          ...(path === TOKEN_PATH
            ? { ...withoutOrigin(preflight), ...appOrigins.headersFor(req) }
            : preflight),
          ...versionHeader,
        })
        res.end()
        return
      }
      if (`${PREFIX}${path}` === JWKS_PATH && req.method === 'GET') {
        res.writeHead(200, {
          ...CORS_ORIGIN,
          ...versionHeader,
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(jwks),
          // as GoTrue: verifiers may cache the keys for a while (jose's remote JWKS refetches on an unknown kid)
          'cache-control': 'public, max-age=600',
        })
        res.end(jwks)
        return
      }
      if (path === '/health' && req.method === 'GET') {
        send(res, 200, { name: 'plater-auth', description: 'Plater local auth subset (GoTrue-shaped)' })
        return
      }
      await requireApiKey(req)
      if (path === '/token' && req.method === 'POST') {
        const grant = url.searchParams.get('grant_type')
        if (grant === 'password' || grant === 'refresh_token') admit(limits[grant].take(clientIp(req)))
        const headers = { ...versionHeader, ...appOrigins.headersFor(req) }
        if (grant === 'password') return sendSameOriginJson(res, 200, await passwordGrant(req), headers)
        if (grant === 'refresh_token') return sendSameOriginJson(res, 200, await refreshGrant(req), headers)
        throw new AuthError(400, 'unsupported_grant_type', 'grant_type must be password or refresh_token')
      }
      if (path === '/user' && req.method === 'GET') {
        return send(res, 200, userJson((await currentUser(req)).user))
      }
      if (path === '/logout' && req.method === 'POST') {
        await logout(req, url.searchParams.get('scope') ?? 'global')
        return send(res, 204)
      }
      throw new AuthError(
        404,
        'not_found',
        `the local auth does not implement ${req.method} ${PREFIX}${path}`,
      )
    } catch (error) {
      if (error instanceof HttpError && path === TOKEN_PATH && !res.headersSent) {
        return sendSameOriginJson(res, error.status, error.body, {
          ...error.headers,
          ...appOrigins.headersFor(req),
        })
      }
      if (error instanceof HttpError) return sendError(res, error)
      if (error instanceof AuthDbUnavailable) {
        log.warn('answering 503', { path, reason: error.message })
        return sendError(
          res,
          new AuthError(503, 'retry_later', `${error.message}; retry shortly`, {
            'retry-after': String(DB_RETRY_AFTER_SECONDS),
          }),
        )
      }
      log.error('request failed', { path, error })
      send(res, 500, { code: 'unexpected_failure', message: 'internal error' })
    }
  }

  return {
    prefix: PREFIX,
    signer,
    handleRequest,
    async close() {
      clearInterval(pruneTimer)
      await db.end()
    },
  }
}

function withoutOrigin(headers: Record<string, string>): Record<string, string> {
  const { 'access-control-allow-origin': _any, ...rest } = headers
  return rest
}
