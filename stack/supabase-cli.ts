import { join } from 'node:path'
import { type CapturedRun, runCaptured } from './captured-run.ts'

/** The Supabase CLI installed with the project (npm `supabase`), never a global one of another version. */
export function supabaseCliPath(repoRoot: string): string {
  return join(repoRoot, 'node_modules', '.bin', 'supabase')
}

/** The CLI's Postgres driver tries TLS first and fails on a server without it, so we turn TLS off explicitly. */
export function withSslDisabled(dbUrl: string): string {
  const url = new URL(dbUrl)
  if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'disable')
  return url.toString()
}

/** Runs the CLI against our `supabase/` folder and captures everything it prints (stdout and stderr, in order). */
export function runSupabaseCli(repoRoot: string, args: string[]): Promise<CapturedRun> {
  return runCaptured(supabaseCliPath(repoRoot), [...args, '--workdir', repoRoot], { cwd: repoRoot })
}
