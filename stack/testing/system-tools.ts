import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

/**
 * pgTAP and pg_prove are the only test tools npm cannot bring. Running the project's own setup script first
 * (a no-op when both are present) is what lets `npm test` alone set up a fresh machine.
 */
export function ensureSystemTestTools(repoRoot: string): void {
  const setup = spawnSync(join(repoRoot, 'scripts', 'setup'), { stdio: 'inherit' })
  if (setup.status !== 0) {
    console.error(
      'plater test: scripts/setup could not provide pgTAP/pg_prove (see above); the pgTAP suite will fail',
    )
  }
}
