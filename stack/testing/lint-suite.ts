import { denoBinary, denoEnv } from '../deno.ts'
import { banner, runTool, stripAnsi, type SuiteContext, type SuiteResult } from './suite.ts'

const NAME = 'lint'

/**
 * `npm run lint` as a suite of `npm test`: `deno lint` and `deno fmt --check` over the whole tree (root deno.json
 * says what is left out). Both always run. A clean check counts one pass; a failing one counts each problem
 * (lint) or unformatted file (fmt) as a failure, so the summary says how much is wrong.
 */
export async function runLintSuite(context: SuiteContext): Promise<SuiteResult> {
  banner(`${NAME}: deno lint && deno fmt --check`)
  const deno = denoBinary(context.repoRoot, context.env)
  const toolContext = { ...context, env: { ...context.env, ...denoEnv(context.repoRoot, context.env) } }
  const lint = await runTool(deno, ['lint'], toolContext, context.repoRoot, true)
  const fmt = await runTool(deno, ['fmt', '--check'], toolContext, context.repoRoot, true)
  const results = [
    countCheck(stripAnsi(lint.stdout), lint.code, /Found (\d+) problems?/),
    countCheck(stripAnsi(fmt.stdout), fmt.code, /Found (\d+) not formatted files?/),
  ]
  if (fmt.code !== 0) console.error('lint: files are not formatted; `npx deno fmt` formats them')
  return {
    name: NAME,
    passed: results.reduce((sum, result) => sum + result.passed, 0),
    failed: results.reduce((sum, result) => sum + result.failed, 0),
  }
}

/** One check's count: 1 passed when it exits 0, else the problems its summary line names (at least 1). */
export function countCheck(
  output: string,
  exitCode: number | null,
  summary: RegExp,
): { passed: number; failed: number } {
  if (exitCode === 0) return { passed: 1, failed: 0 }
  return { passed: 0, failed: Math.max(1, Number(summary.exec(output)?.[1] ?? 1)) }
}
