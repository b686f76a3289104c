// Where the generated parts live: whole generated files, and blocks between marker comments in hand-written docs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { audienceTable, routeTable } from './render.ts'

const repoRoot = join(import.meta.dirname, '..', '..')

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string
  /** The file as generation makes it. */
  expected(current: string): string
}

const START = (block: string) =>
  `<!-- contract:${block} — generated from contract/ by \`npm run contract:docs\`; do not edit -->`
const END = (block: string) => `<!-- contract:${block}:end -->`

/** `current` with the text between the block's markers replaced (the markers must already be in the file). */
export function spliceBlock(current: string, block: string, content: string, path: string): string {
  const start = current.indexOf(START(block))
  const end = current.indexOf(END(block))
  if (start < 0 || end < start) {
    throw new Error(`${path}: the markers of block "${block}" are missing:\n${START(block)}\n${END(block)}`)
  }
  return `${current.slice(0, start)}${START(block)}\n${content}\n${current.slice(end)}`
}

// deno fmt would pad the generated tables, which generation does not: it leaves the block as generated.
const unformatted = (text: string) => `<!-- deno-fmt-ignore-start -->\n${text}\n<!-- deno-fmt-ignore-end -->`

const block = (path: string, name: string, render: () => string): GeneratedFile => ({
  path,
  expected: (current) => spliceBlock(current, name, unformatted(render()), path),
})

export const GENERATED_FILES: readonly GeneratedFile[] = [
  block('docs/topics.md', 'audience-fields', audienceTable),
  block('functions/README.md', 'routes', routeTable),
]

export function readCurrent(file: GeneratedFile): string {
  try {
    return readFileSync(join(repoRoot, file.path), 'utf8')
  } catch {
    return ''
  }
}

export const pathOf = (file: GeneratedFile) => join(repoRoot, file.path)
