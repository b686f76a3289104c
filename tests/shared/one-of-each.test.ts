import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'

/**
 * Each cross-runtime concern is written once, in shared/ or contract/, for the functions (Deno) and the stack
 * (Node) alike; a second copy drifts. The marks below are what writing one again would need.
 */
const PRODUCT = ['stack', 'functions', 'client/src', 'console/src', 'load', 'contract', 'shared']
const ONE_PLACE: [what: string, mark: RegExp, home: string][] = [
  ['token signature checks', /\b(compactVerify|flattenedVerify|jwtVerify)\(/, 'shared/auth/verify.ts'],
  ['bearer header parsing', /\/\^Bearer\b/i, 'shared/http/bearer.ts'],
  ['HttpError', /\bclass HttpError\b/, 'contract/errors.ts'],
]

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && ['.ts', '.tsx', '.js', '.mjs'].includes(extname(entry.name)))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split('/').some((part) => part === 'node_modules' || part === 'dist'))
}

describe('one of each concern', () => {
  const files = PRODUCT.flatMap(sources).map((path) => ({
    path,
    text: readFileSync(join(repoRoot, path), 'utf8'),
  }))

  it.each(ONE_PLACE)('%s: written in one file', (_what, mark, home) => {
    expect(files.length).toBeGreaterThan(100) // the walk read the tree
    expect(files.filter(({ text }) => mark.test(text)).map(({ path }) => path)).toEqual([home])
  })
})
