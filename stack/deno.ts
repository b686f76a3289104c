import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** The project's pinned Deno (npm `deno`), or PLATER_DENO, or one on PATH. */
export function denoBinary(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLATER_DENO) return env.PLATER_DENO
  const local = join(repoRoot, 'node_modules', '.bin', 'deno')
  return existsSync(local) ? local : 'deno'
}

/** Environment shared by every Deno process the stack starts (function workers, the Deno test suite). */
export function denoEnv(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    // a project-local cache, so `npm:` packages are fetched once per checkout and never clash with the user's
    DENO_DIR: env.DENO_DIR ?? join(repoRoot, '.deno'),
    DENO_NO_UPDATE_CHECK: '1',
    // Deno bundles Mozilla's CAs only; machines behind a TLS-inspecting proxy (CI sandboxes, corporate networks)
    // add theirs to the OS store, and `npm:` imports are fetched over HTTPS.
    DENO_TLS_CA_STORE: env.DENO_TLS_CA_STORE ?? 'system,mozilla',
  }
}
