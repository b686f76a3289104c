// Configuration comes from the environment, as on hosted Supabase (SUPABASE_URL, SUPABASE_DB_URL,
// SUPABASE_PUBLISHABLE_KEYS, SUPABASE_SECRET_KEYS and the legacy SUPABASE_ANON_KEY / SUPABASE_SERVICE_ROLE_KEY are
// provided by the platform; JWT_SECRET, the legacy HS256 secret, is a secret you set). The local functions host sets
// the same names. Read with the one env reader (shared/env.ts), as the stack reads its own.
import { positiveInteger, readEnv, requireEnv as required, text } from '@plater/shared/env.ts'

export function env(name: string): string | undefined {
  return readEnv(Deno.env.toObject(), name, text)
}

export function requireEnv(name: string): string {
  return required(Deno.env.toObject(), name, text)
}

export function intEnv(name: string, fallback: number): number {
  return readEnv(Deno.env.toObject(), name, positiveInteger, fallback)
}
