import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'

/** The load harness stays in small modules: a source file past this many lines is split by concern. */
const MAX_LINES = 300

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'results' ? [] : sources(path)
    return /\.(ts|js)$/.test(entry.name) ? [path] : []
  })
}

describe('load/ size', () => {
  it(`has no source file over ${MAX_LINES} lines`, () => {
    const files = sources(join(repoRoot, 'load'))
    // The walk read the harness: its entry point is among the files.
    expect(files.map((file) => relative(repoRoot, file))).toContain('load/cli.ts')
    const long = files
      .map((file) => ({
        file: relative(repoRoot, file),
        lines: readFileSync(file, 'utf8').split('\n').length,
      }))
      .filter(({ lines }) => lines > MAX_LINES)
    expect(long).toEqual([])
  })
})
