import { existsSync, readdirSync, realpathSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { readSupabaseConfig, supabaseConfigPath } from '../supabase-config.ts'

/** One edge function as `supabase functions deploy` would see it. */
export interface FunctionSpec {
  name: string
  /** Absolute path of the entrypoint module. */
  entrypoint: string
  /** Whether the host checks the bearer JWT before the function runs (`[functions.<name>] verify_jwt`). */
  verifyJwt: boolean
}

// Supabase's rule for function names (supabase/cli pkg/config: `^[A-Za-z][A-Za-z0-9_-]*$`).
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/

interface FunctionSection {
  enabled?: unknown
  verify_jwt?: unknown
  entrypoint?: unknown
}

/**
 * The functions to serve: every folder of `functions/` with an `index.ts` (underscore folders are shared code),
 * plus every `[functions.<name>]` of supabase/config.toml, whose `enabled`, `verify_jwt` (default true, like the
 * CLI) and `entrypoint` (relative to supabase/) win.
 */
export function loadFunctionSpecs(repoRoot: string): FunctionSpec[] {
  const configPath = supabaseConfigPath(repoRoot)
  const parsed = readSupabaseConfig(repoRoot)
  const sections = (parsed.functions ?? {}) as Record<string, FunctionSection>

  const specs = new Map<string, FunctionSpec>()
  const functionsDir = join(repoRoot, 'functions')
  if (existsSync(functionsDir)) {
    for (const entry of readdirSync(functionsDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('_') || entry.name.startsWith('.')) continue
      const entrypoint = join(functionsDir, entry.name, 'index.ts')
      if (FUNCTION_NAME.test(entry.name) && existsSync(entrypoint)) {
        specs.set(entry.name, { name: entry.name, entrypoint, verifyJwt: true })
      }
    }
  }

  for (const [name, section] of Object.entries(sections)) {
    if (!FUNCTION_NAME.test(name)) throw new Error(`${configPath}: invalid function name "${name}"`)
    if (section.enabled === false) {
      specs.delete(name)
      continue
    }
    if (section.verify_jwt !== undefined && typeof section.verify_jwt !== 'boolean') {
      throw new Error(`${configPath}: [functions.${name}] verify_jwt must be true or false`)
    }
    const entrypoint = typeof section.entrypoint === 'string'
      ? resolve(dirname(configPath), section.entrypoint)
      : (specs.get(name)?.entrypoint ?? join(functionsDir, name, 'index.ts'))
    if (!existsSync(entrypoint)) {
      throw new Error(`${configPath}: [functions.${name}] entrypoint ${entrypoint} does not exist`)
    }
    specs.set(name, { name, entrypoint: realpathSync(entrypoint), verifyJwt: section.verify_jwt !== false })
  }
  return [...specs.values()].sort((a, b) => a.name.localeCompare(b.name))
}
