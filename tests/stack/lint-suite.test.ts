import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'
import { denoBinary } from '../../stack/deno.ts'
import { runLintSuite } from '../../stack/testing/lint-suite.ts'

// The lint suite of `npm test`, run with the real deno on a tiny tree of known problems.
let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function lintTree(files: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'plater-lint-'))
  writeFileSync(join(dir, 'deno.json'), '{ "fmt": { "singleQuote": true, "semiColons": false } }\n')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const env = {
    ...process.env,
    NO_COLOR: '1',
    PLATER_DENO: denoBinary(repoRoot),
    DENO_DIR: join(repoRoot, '.deno'),
  }
  return runLintSuite({ repoRoot: dir, env, dbUrl: '', signal: new AbortController().signal })
}

describe('the lint suite', () => {
  it('counts one pass for each clean check', { timeout: 60_000 }, async () => {
    expect(await lintTree({ 'clean.ts': "export const greeting = 'hello'\n" })).toEqual({
      name: 'lint',
      passed: 2,
      failed: 0,
    })
  })

  it('counts each lint problem and each unformatted file as a failure', { timeout: 60_000 }, async () => {
    const result = await lintTree({
      'problems.ts': "let shout: any = 'hey'\nexport { shout }\n", // prefer-const, no-explicit-any
      'unformatted.ts': 'export const quoted = "double"\n',
    })
    expect(result).toEqual({ name: 'lint', passed: 0, failed: 3 })
  })
})
