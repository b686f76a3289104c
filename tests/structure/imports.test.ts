import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'
import { importCycles, importGraph } from '../helpers/import-graph.ts'

/** The product code and the load harness: the layers that must point one way (tests may import anything). */
const PRODUCT = [
  'client/src',
  'console/src',
  'console/build.ts',
  'console/vite.config.ts',
  'stack',
  'functions',
  'load',
]

describe('import structure', () => {
  // Both the cycle check and the direction check read this graph; it is cheap (a few hundred files).
  it('has no import cycle in product code', () => {
    const graph = importGraph(repoRoot, PRODUCT)
    // The walk read the tree: a known import of each area is among its edges.
    expect(graph.get('stack/gateway/transport/upgrade.ts')).toContain('stack/gateway/protocol/versions.ts')
    expect(graph.get('client/src/topic-scope.ts')).toContain('client/src/scope-keys.ts')
    expect(graph.get('functions/orders/index.ts')).toContain('functions/orders/handler.ts')
    expect(importCycles(graph)).toEqual([])
  })

  it('points one way: the console and load/ reach the client by package name, load/ the stack by its testing entry point, the stack serves the console without importing it, nothing ships test-only code', () => {
    const graph = importGraph(repoRoot, PRODUCT)
    const edges = [...graph].flatMap(([from, targets]) => targets.map((to) => `${from} -> ${to}`))
    // plater-realtime (a package name) draws no edge; a relative path into client/ would.
    expect(edges.filter((edge) => /^console\/src\/.* -> client\//.test(edge))).toEqual([])
    // Building the console is the CLI's step (stack/commands/console-build.ts); the running stack only serves it.
    expect(edges.filter((edge) => /^stack\/(?!commands\/).* -> console\//.test(edge))).toEqual([])
    // The testing entry point (stack/testing/index.ts and what it hands on) is for the suites and load/ alone.
    expect(
      edges.filter((edge) =>
        /^(?!load\/|stack\/testing\/).* -> stack\/testing\/(index|access-token|realtime-codec|broadcast-frame|private-stack|bare-gateway|limits)\.ts$/
          .test(edge)
      ),
    ).toEqual([])
    // load/ reaches the stack only through that entry point, and the client only by its package name.
    expect(
      edges.filter((edge) =>
        /^load\/.* -> stack\//.test(edge) && !edge.endsWith(' -> stack/testing/index.ts')
      ),
    ).toEqual([])
    expect(edges.filter((edge) => /^load\/.* -> client\//.test(edge))).toEqual([])
  })

  describe('the walker', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plater-import-graph-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('finds cycles through type imports, re-exports, multi-line and dynamic imports, and nothing else', () => {
      const files: Record<string, string> = {
        'a.ts': "import type { B } from './b.ts';\nimport { z } from 'zod';",
        'b.ts': "export {\n  c,\n} from './c.ts';",
        'c.ts': "const a = await import('./a.ts');",
        'd.ts': "import './a.ts';",
        'e.ts': "import { f } from './f';",
        'f.ts': "import type { E } from './e.ts';",
      }
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
      expect(importCycles(importGraph(dir, ['.']))).toEqual([
        ['a.ts', 'b.ts', 'c.ts'],
        ['e.ts', 'f.ts'],
      ])
    })
  })
})
