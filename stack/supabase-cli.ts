import { spawn } from 'node:child_process'
import { join } from 'node:path'

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

export interface CliResult {
  code: number | null
  output: string
}

/** Runs the CLI against our `supabase/` folder and captures everything it prints (stdout and stderr, in order). */
export function runSupabaseCli(repoRoot: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(supabaseCliPath(repoRoot), [...args, '--workdir', repoRoot], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, output }))
  })
}
