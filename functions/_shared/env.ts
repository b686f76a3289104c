// Configuration comes from the environment, as on hosted Supabase (SUPABASE_URL, SUPABASE_DB_URL,
// SUPABASE_PUBLISHABLE_KEYS, SUPABASE_SECRET_KEYS and the legacy SUPABASE_ANON_KEY / SUPABASE_SERVICE_ROLE_KEY are
// provided by the platform; JWT_SECRET, the legacy HS256 secret, is a secret you set). The local functions host sets
// the same names.

export function env(name: string): string | undefined {
  const value = Deno.env.get(name)
  return value === undefined || value === '' ? undefined : value
}

export function requireEnv(name: string): string {
  const value = env(name)
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

export function intEnv(name: string, fallback: number): number {
  const value = env(name)
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`${name} must be a positive integer, got "${value}"`)
  }
  return parsed
}
