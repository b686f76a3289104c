// What `npm pack -w plater-realtime` puts in the tarball an app installs: the client and nothing of the backend.
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'
import { readJson } from '../helpers/app-outside.ts'

interface Manifest {
  name: string
  type: string
  sideEffects: boolean
  exports: Record<string, string | { 'plater-source'?: string; types: string; default: string }>
  dependencies: Record<string, string>
  peerDependencies: Record<string, string>
}

describe('the packed client', () => {
  const { files } = inject('packedClient')
  const manifest = readJson<Manifest>(join(repoRoot, 'client', 'package.json'))

  it('holds only the client: its build (with the contract it imports), its README and package.json', () => {
    const outside = files.filter((file) =>
      !file.startsWith('dist/') && file !== 'package.json' && file !== 'README.md'
    )
    expect(outside).toEqual([])
    expect(files).toContain('dist/client/src/index.js')
    expect(files).toContain('dist/client/src/index.d.ts')
  })

  it('is ESM without side effects, with a build and declarations behind every export', () => {
    expect(manifest.type).toBe('module')
    expect(manifest.sideEffects).toBe(false)
    for (const [entry, target] of Object.entries(manifest.exports)) {
      // plater-source is this repository's own condition (the console bundles the sources, console/vite.config.ts);
      // the sources import ../contract, which lies outside the package, so they are not shipped
      const paths = typeof target === 'string' ? [target] : [target.types, target.default]
      for (const path of paths) expect(files, `${entry} → ${path}`).toContain(path.replace(/^\.\//, ''))
    }
  })

  it("depends on the realtime socket alone (React is the app's)", () => {
    expect(Object.keys(manifest.dependencies)).toEqual(['@supabase/realtime-js'])
    expect(Object.keys(manifest.peerDependencies)).toEqual(['react'])
  })
})
