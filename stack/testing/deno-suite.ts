import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { denoBinary, denoEnv } from '../deno.ts'
import { banner, runTool, stripAnsi, type SuiteContext, type SuiteResult } from './suite.ts'

const NAME = 'Deno'

// Deno's own default test file pattern: {*_,*.,}test.{ts,tsx,mts,js,mjs,jsx}
const DENO_TEST_FILE = /(^|[._])test\.(ts|tsx|mts|js|mjs|jsx)$/

/** `deno test -A tests/functions/` with the project's pinned Deno and a project-local cache (`.deno/`). */
export async function runDenoSuite(context: SuiteContext): Promise<SuiteResult> {
  const dir = join(context.repoRoot, 'tests', 'functions')
  if (!hasTestFiles(dir)) return { name: NAME, passed: 0, failed: 0, skipped: 'no tests in tests/functions/' }
  banner(`${NAME}: deno test tests/functions/`)

  const deno = denoBinary(context.repoRoot, context.env)
  const { code, stdout } = await runTool(deno, ['test', '-A', 'tests/functions/'], {
    ...context,
    env: { ...context.env, ...denoEnv(context.repoRoot, context.env), PLATER_TEST_REQUIRE_DB: '1' },
  })
  return { name: NAME, ...countDeno(stripAnsi(stdout), code) }
}

/**
 * Reads Deno's last summary line: `ok | 3 passed (2 steps) | 0 failed | 1 ignored (1s)`. An ignored test counts
 * as failed: under `npm test` everything a test needs is there, so a skip means a test that did not run.
 */
export function countDeno(output: string, exitCode: number | null): { passed: number; failed: number } {
  const summaries = [
    ...output.matchAll(/(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \| (\d+) ignored)?/g),
  ]
  const last = summaries.at(-1)
  const passed = Number(last?.[1] ?? 0)
  const ignored = Number(last?.[3] ?? 0)
  let failed = Number(last?.[2] ?? 0) + ignored
  if (ignored > 0) console.error(`Deno: ${ignored} test(s) were ignored; under npm test every test must run`)
  if (exitCode !== 0 && failed === 0) failed = 1 // type-check or load error: no tests ran
  return { passed, failed }
}

function hasTestFiles(dir: string): boolean {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((path) => DENO_TEST_FILE.test(path))
  } catch {
    return false
  }
}
