// What the docs and the SQL tests restate of the contract is generated from it (`npm run contract:docs`): the
// audience table of docs/topics.md, the route table of functions/README.md and the pgTAP fixture of payload keys.
// A committed copy that differs from generation fails here, naming the command that fixes it.
import { describe, expect, it } from 'vitest'
import { GENERATED_FILES, readCurrent, spliceBlock } from '../../scripts/contract-docs/outputs.ts'

describe('generated from the contract', () => {
  it.each(GENERATED_FILES.map((file) => [file.path, file] as const))('%s is up to date', (_path, file) => {
    const current = readCurrent(file)
    expect(current, `${file.path} differs from the contract: run \`npm run contract:docs\``).toBe(
      file.expected(current),
    )
  })

  it('refuses a document whose markers are gone rather than appending the block somewhere', () => {
    expect(() => spliceBlock('# a page without markers\n', 'routes', '| x |', 'page.md')).toThrow(
      /markers of block "routes"/,
    )
  })

  it('replaces only what is between the markers', () => {
    const page = (body: string) =>
      `before\n<!-- contract:routes — generated from contract/ by \`npm run contract:docs\`; do not edit -->\n${body}\n<!-- contract:routes:end -->\nafter\n`
    expect(spliceBlock(page('old\nrows'), 'routes', 'new', 'page.md')).toBe(page('new'))
  })
})
