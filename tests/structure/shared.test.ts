import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'

// shared/ is the infrastructure Node (the stack, load), Deno (the functions) and browsers (the client) all run: it
// may use the web platform and well-kept npm packages (jose), never a runtime's own API unless its first line says
// `// Node-only`, and it reaches nothing of the product outside shared/ and contract/, so every runtime can load it.

const RUNTIME_API = /\bfrom\s*['"](node:|npm:|jsr:)|\bDeno\.|\bprocess\.|\bBuffer\b|\brequire\(/
const RELATIVE = /\bfrom\s*['"](\.[^'"]*)['"]/g
/** Comments may name what the code must not use. */
const COMMENT = /\/\*[\s\S]*?\*\/|\/\/.*$/gm

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('shared/', () => {
  const sources = files(join(repoRoot, 'shared')).map((path) => {
    const text = readFileSync(path, 'utf8')
    return {
      path: relative(repoRoot, path),
      nodeOnly: text.startsWith('// Node-only'),
      code: text.replace(COMMENT, ''),
    }
  })

  it('holds the one env reader, backoff, clock and logger', () => {
    expect(sources.map((source) => source.path)).toEqual(
      expect.arrayContaining(['shared/env.ts', 'shared/backoff.ts', 'shared/clock.ts', 'shared/log.ts']),
    )
  })

  it('uses no Node or Deno API outside Node-only files, and imports nothing of the product outside shared/ and contract/', () => {
    expect(
      sources.filter((source) => !source.nodeOnly && RUNTIME_API.test(source.code)).map((source) =>
        source.path
      ),
    ).toEqual([])
    const outside = sources.flatMap(({ path, code }) =>
      [...code.matchAll(RELATIVE)]
        .map((match) => relative(repoRoot, join(repoRoot, path, '..', match[1]!)))
        .filter((target) => !/^(shared|contract)\//.test(target))
        .map((target) => `${path} -> ${target}`)
    )
    expect(outside).toEqual([])
  })
})
