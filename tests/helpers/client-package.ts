import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

/** The client package as an app gets it: `npm pack` of the workspace, built from the sources as they are now. */
export interface PackedClient {
  tarball: string
  /** Paths inside the package (`package/` stripped), as npm pack lists them. */
  files: string[]
}

declare module 'vitest' {
  export interface ProvidedContext {
    packedClient: PackedClient
  }
}

const repoRoot = join(import.meta.dirname, '..', '..')
export const CLIENT_PACKAGE = 'plater-realtime'

/**
 * vitest's global setup: build client/dist once (a checkout's may predate its sources; every test that reads it
 * then sees the same files, none rewriting them under another) and pack it, for the tests that install the
 * package the way an app does.
 */
export default function setup(project: TestProject): () => void {
  execFileSync('npm', ['run', 'build', '--silent', '-w', CLIENT_PACKAGE], { cwd: repoRoot, stdio: 'inherit' })
  const dir = mkdtempSync(join(tmpdir(), 'plater-client-pack-'))
  // --ignore-scripts: prepare would build again; the build above is the one every test sees
  const out = execFileSync('npm', [
    'pack',
    '--json',
    '--ignore-scripts',
    '--pack-destination',
    dir,
    '-w',
    CLIENT_PACKAGE,
  ], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  const [packed] = JSON.parse(out) as { filename: string; files: { path: string }[] }[]
  if (!packed) throw new Error(`npm pack -w ${CLIENT_PACKAGE} printed no package`)
  project.provide('packedClient', {
    tarball: join(dir, packed.filename),
    files: packed.files.map((file) => file.path),
  })
  return () => rmSync(dir, { recursive: true, force: true })
}
