import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JSONWebKeySet } from 'jose'
import { type Env, port, readEnv, text } from '../shared/env.ts'
import { type AuthRateLimits, loadAuthRateLimits } from './auth/rate-limit.ts'
import { signApiKey } from './api-keys.ts'
import { loadOrCreateSecrets, type SigningJwk } from './install-secrets.ts'

/** The one configuration every stack module receives (docs/architecture.md, "Stack contract"). */
export interface StackConfig {
  /** Checkout root: holds `supabase/`, `migrations/`, `tests/`. */
  repoRoot: string
  /** Absolute path of the stack's state: Postgres data, secrets, `stack.json`. */
  dataDir: string
  apiHost: string
  apiPort: number
  /** `http://<apiHost>:<apiPort>`, what supabase-js takes as the project URL. */
  apiUrl: string
  dbPort: number
  dbUrl: string
  /** True when `DATABASE_URL` points at a Postgres the stack does not run itself. */
  externalDb: boolean
  /** The legacy HS256 secret: signs the anon/service_role keys, and still verifies older tokens. */
  jwtSecret: string
  anonKey: string
  serviceRoleKey: string
  /** The ES256 private key the local auth signs user tokens with. */
  signingKey: SigningJwk
  /** Its public half, served at `<apiUrl>/auth/v1/.well-known/jwks.json`. */
  jwks: JSONWebKeySet
  /** The new-format API keys: role anon and service_role, not JWTs. */
  publishableKey: string
  secretKey: string
  /** Per-IP budgets of the local auth: supabase/config.toml `[auth.rate_limit]`, `PLATER_AUTH_RATE_LIMIT_*`. */
  authRateLimits: AuthRateLimits
}

export const JWKS_PATH = '/auth/v1/.well-known/jwks.json'

/** The public JWK of a signing key (what a JWKS lists). */
export function publicJwk({ d: _private, ...jwk }: SigningJwk): SigningJwkPublic {
  return { ...jwk, use: 'sig' }
}
type SigningJwkPublic = Omit<SigningJwk, 'd'> & { use: 'sig' }

export const repoRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')

export const DEFAULTS = {
  apiHost: '127.0.0.1',
  apiPort: 54321,
  dbPort: 54322,
  dataDir: '.stack',
} as const

/** The embedded cluster's superuser and database, the same as Supabase's local stack uses. */
export const EMBEDDED_DB = { user: 'postgres', password: 'postgres', database: 'postgres' } as const

export function embeddedDbUrl(port: number, database: string = EMBEDDED_DB.database): string {
  return `postgresql://${EMBEDDED_DB.user}:${EMBEDDED_DB.password}@127.0.0.1:${port}/${database}`
}

export async function resolveConfig(env: Env = process.env): Promise<StackConfig> {
  const apiHost = DEFAULTS.apiHost
  const apiPort = readEnv(env, 'PLATER_API_PORT', port, DEFAULTS.apiPort)
  const dataDirSetting = readEnv(env, 'PLATER_DATA_DIR', text)
  // A path given by the user is relative to where they typed it; the default lives in the checkout,
  // so `plater status` finds the same stack from any subdirectory.
  const dataDir = resolve(
    dataDirSetting === undefined ? repoRoot : process.cwd(),
    dataDirSetting ?? DEFAULTS.dataDir,
  )

  const externalDbUrl = readEnv(env, 'DATABASE_URL', text)
  const dbPort = externalDbUrl
    ? Number(new URL(externalDbUrl).port || 5432)
    : readEnv(env, 'PLATER_DB_PORT', port, DEFAULTS.dbPort)

  const secrets = loadOrCreateSecrets(dataDir)
  const [anonKey, serviceRoleKey] = await Promise.all([
    signApiKey(secrets.jwtSecret, 'anon', secrets.issuedAt),
    signApiKey(secrets.jwtSecret, 'service_role', secrets.issuedAt),
  ])

  return {
    repoRoot,
    dataDir,
    apiHost,
    apiPort,
    apiUrl: `http://${apiHost}:${apiPort}`,
    dbPort,
    dbUrl: externalDbUrl ?? embeddedDbUrl(dbPort),
    externalDb: externalDbUrl !== undefined,
    jwtSecret: secrets.jwtSecret,
    anonKey,
    serviceRoleKey,
    signingKey: secrets.signingKey,
    jwks: { keys: [publicJwk(secrets.signingKey)] },
    publishableKey: secrets.publishableKey,
    secretKey: secrets.secretKey,
    authRateLimits: loadAuthRateLimits(repoRoot, env),
  }
}
