import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, join, relative, resolve } from 'node:path'

/**
 * The import graph of a source tree, read with regular expressions rather than a compiler (the TypeScript here is
 * the native compiler, which has no JS API): every `import … from`, `export … from`, bare `import '…'` and
 * `import('…')` with a literal specifier. Only relative specifiers that name a file draw an edge; packages and
 * URLs do not (a cycle through a package would need that package to import this tree back).
 */
export type ImportGraph = Map<string, string[]>

const SOURCE = new Set(['.ts', '.tsx', '.mts', '.js', '.mjs'])
const SKIPPED_DIRS = new Set(['node_modules', 'dist'])
const SPECIFIER = [
  /\bfrom\s*['"]([^'"\n]+)['"]/g,
  /\bimport\s*['"]([^'"\n]+)['"]/g,
  /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g,
]

function sourceFiles(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return SOURCE.has(extname(path)) ? [path] : []
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => !(entry.isDirectory() && (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.'))))
    .flatMap((entry) => sourceFiles(join(path, entry.name)))
}

function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = resolve(dirname(from), specifier)
  return [base, ...[...SOURCE].map((ext) => base + ext), join(base, 'index.ts')].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  )
}

/** The graph of the files under `roots` (paths relative to `root`), with edges only between those files. */
export function importGraph(root: string, roots: string[]): ImportGraph {
  const files = roots.flatMap((dir) => sourceFiles(join(root, dir)))
  const inTree = new Set(files)
  const graph: ImportGraph = new Map()
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const targets = new Set<string>()
    for (const pattern of SPECIFIER) {
      for (const match of text.matchAll(pattern)) {
        const target = resolveSpecifier(file, match[1]!)
        if (target && inTree.has(target) && target !== file) targets.add(relative(root, target))
      }
    }
    graph.set(relative(root, file), [...targets].sort())
  }
  return graph
}

/** Every import cycle: the strongly connected components of more than one file (Tarjan), each sorted, by first file. */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  let next = 0
  const visit = (file: string): void => {
    index.set(file, next)
    low.set(file, next++)
    stack.push(file)
    onStack.add(file)
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(file, Math.min(low.get(file)!, low.get(target)!))
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!))
      }
    }
    if (low.get(file) !== index.get(file)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    if (component.length > 1) cycles.push(component.sort())
  }
  for (const file of graph.keys()) if (!index.has(file)) visit(file)
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!))
}
