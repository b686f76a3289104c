import { JWKS_PATH, type StackConfig } from '../config.ts'

/** The values `plater status` reports, named as `supabase status -o env` names them. */
export interface StatusValues {
  API_URL: string
  DB_URL: string
  PUBLISHABLE_KEY: string
  SECRET_KEY: string
  ANON_KEY: string
  SERVICE_ROLE_KEY: string
  JWT_SECRET: string
  JWKS_URL: string
}

export function statusValues(config: StackConfig, urls: { apiUrl: string; dbUrl: string }): StatusValues {
  return {
    API_URL: urls.apiUrl,
    DB_URL: urls.dbUrl,
    PUBLISHABLE_KEY: config.publishableKey,
    SECRET_KEY: config.secretKey,
    ANON_KEY: config.anonKey,
    SERVICE_ROLE_KEY: config.serviceRoleKey,
    JWT_SECRET: config.jwtSecret,
    JWKS_URL: `${urls.apiUrl}${JWKS_PATH}`,
  }
}

export const STATUS_FORMATS = ['pretty', 'env', 'json'] as const
export type StatusFormat = (typeof STATUS_FORMATS)[number]

const prettyLabels: Record<keyof StatusValues, string> = {
  API_URL: 'API URL',
  DB_URL: 'DB URL',
  PUBLISHABLE_KEY: 'publishable key',
  SECRET_KEY: 'secret key',
  ANON_KEY: 'anon key (legacy)',
  SERVICE_ROLE_KEY: 'service_role key (legacy)',
  JWT_SECRET: 'JWT secret (legacy)',
  JWKS_URL: 'JWKS URL',
}

export function formatStatus(values: StatusValues, format: StatusFormat): string {
  const entries = Object.entries(values) as Array<[keyof StatusValues, string]>
  switch (format) {
    case 'env':
      return entries.map(([key, value]) => `export ${key}=${shellQuoted(value)}`).join('\n')
    case 'json':
      return JSON.stringify(values, null, 2)
    case 'pretty': {
      const width = Math.max(...entries.map(([key]) => prettyLabels[key].length))
      return entries.map(([key, value]) => `${prettyLabels[key].padStart(width)}: ${value}`).join('\n')
    }
  }
}

/**
 * `"value"` for a POSIX shell's `eval` (and for dotenv files, which accept `export` and double quotes): `\`, `"`,
 * `$` and a backquote escaped, so the value arrives as it is. `supabase status -o env` prints the same lines
 * without `export`, which leaves them unexported: a child process (`node app.mjs`) would not see them.
 */
export function shellQuoted(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (char) => `\\${char}`)}"`
}
