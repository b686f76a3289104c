// `npm run contract:docs`: rewrites what the docs and the SQL tests restate of the contract (contract/), so a
// change there is one command away from them; tests/contract/generated.test.ts fails until it is run.
import { writeFileSync } from 'node:fs'
import { GENERATED_FILES, pathOf, readCurrent } from './contract-docs/outputs.ts'

for (const file of GENERATED_FILES) {
  const current = readCurrent(file)
  const expected = file.expected(current)
  if (expected === current) continue
  writeFileSync(pathOf(file), expected)
  console.log(`updated ${file.path}`)
}
