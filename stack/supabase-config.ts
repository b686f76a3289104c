import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'smol-toml'

/** supabase/config.toml, the Supabase CLI's project file, as the stack reads its settings from it. */
export function supabaseConfigPath(repoRoot: string): string {
  return join(repoRoot, 'supabase', 'config.toml')
}

/** Its parsed content; an absent file reads as empty (every setting at its default). */
export function readSupabaseConfig(repoRoot: string): Record<string, unknown> {
  const path = supabaseConfigPath(repoRoot)
  return existsSync(path) ? (parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {}
}
