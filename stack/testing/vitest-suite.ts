import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { banner, runTool, type SuiteContext, type SuiteResult } from './suite.ts'

const NAME = 'vitest'

interface VitestJsonReport {
  numPassedTests: number
  numFailedTests: number
  numFailedTestSuites: number
}

/**
 * `vitest run` (vitest.config.ts, shuffled) with a JSON report next to the usual console output, for exact counts.
 * The shuffle's seed is printed; PLATER_TEST_SEED repeats it.
 */
export async function runVitestSuite(context: SuiteContext): Promise<SuiteResult> {
  const seed = shuffleSeed(context.env.PLATER_TEST_SEED)
  banner(`${NAME}: vitest run (shuffled, seed ${seed}: PLATER_TEST_SEED=${seed} repeats the order)`)
  const reportDir = mkdtempSync(join(tmpdir(), 'plater-vitest-'))
  const reportFile = join(reportDir, 'report.json')
  try {
    const vitest = join(context.repoRoot, 'node_modules', '.bin', 'vitest')
    const { code } = await runTool(
      vitest,
      [
        'run',
        '--passWithNoTests',
        `--sequence.seed=${seed}`,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${reportFile}`,
      ],
      context,
    )
    const report = readReport(reportFile)
    const passed = report?.numPassedTests ?? 0
    let failed = report?.numFailedTests ?? 0
    // A file that fails to load has no failed tests but fails the run.
    if (code !== 0 && failed === 0) failed = Math.max(1, report?.numFailedTestSuites ?? 0)
    return { name: NAME, passed, failed }
  } finally {
    rmSync(reportDir, { recursive: true, force: true })
  }
}

function shuffleSeed(given: string | undefined): number {
  if (given !== undefined && given !== '') {
    const seed = Number(given)
    if (!Number.isSafeInteger(seed)) throw new Error(`PLATER_TEST_SEED must be an integer, got "${given}"`)
    return seed
  }
  return Math.floor(Math.random() * 1_000_000)
}

function readReport(file: string): VitestJsonReport | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as VitestJsonReport
  } catch {
    return undefined
  }
}
