import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'

// Code and docs state their targets and reasons in place, or point at a file in the repository: a reader of a
// clone has no design brief, no platform notes and no issue tracker. Measurement history goes to docs/decisions.md.
const OUTSIDE = [
  /\bdesign §/i,
  /\b(design|platform|domain-and-patterns|supabase-realtime|style)\.md\b/,
  /shared\/reference\//,
  /\bissues? #?\d+/i,
]

/**
 * Result records and experiment notes are evidence as written at the time; lockfiles and images are not prose; this
 * file plants references to prove the scan finds them.
 */
const SKIPPED =
  /^load\/results\/|(^|\/)package-lock\.json$|\.(png|svg|jpg|ico|woff2?)$|^tests\/structure\/references\.test\.ts$/

function outsideReferences(root: string): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file !== '' && !SKIPPED.test(file))
    .sort()
  const found: string[] = []
  for (const file of files) {
    let text: string
    try {
      text = readFileSync(join(root, file), 'utf8')
    } catch {
      continue // listed but deleted in the work tree
    }
    text.split('\n').forEach((line, index) => {
      if (OUTSIDE.some((pattern) => pattern.test(line))) found.push(`${file}:${index + 1}: ${line.trim()}`)
    })
  }
  return found
}

describe('references', () => {
  it('cites no document outside the repository (design brief, platform notes, issue numbers)', () => {
    const found = outsideReferences(repoRoot)
    expect(found, 'state the target and the reason in place, or point at a file in the repository').toEqual(
      [],
    )
  })

  describe('the scan', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plater-references-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('finds each kind of outside reference in tracked and untracked files, and skips result records', () => {
      execFileSync('git', ['init', '-q'], { cwd: dir })
      mkdirSync(join(dir, 'load/results'), { recursive: true })
      const files: Record<string, string> = {
        'a.ts': '// the target of design §7\nconst fine = 1; // RFC 9110 §13.1.2 is a public standard',
        'b.sql': '-- see platform.md for why\n-- docs/topics.md § Envelope is in the repository',
        'c.md': 'As issue 16 found.\nA copy of shared/reference/wire-fixtures.json.',
        'load/results/x.json': '{"label": "before issue 20"}',
      }
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
      execFileSync('git', ['add', 'a.ts', 'b.sql'], { cwd: dir })
      expect(outsideReferences(dir)).toEqual([
        'a.ts:1: // the target of design §7',
        'b.sql:1: -- see platform.md for why',
        'c.md:1: As issue 16 found.',
        'c.md:2: A copy of shared/reference/wire-fixtures.json.',
      ])
    })
  })
})
