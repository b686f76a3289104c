import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { withDb } from '../db-connection.ts'
import { PGTAP_INSTALL_HINT } from '../postgres/pgtap.ts'
import { writeContractFieldsFixture } from './contract-fields.ts'
import { banner, runTool, stripAnsi, type SuiteContext, type SuiteResult } from './suite.ts'

const NAME = 'pgTAP'

/**
 * `pg_prove` over tests/db/*.test.sql against the private stack's database.
 * Counts come from pg_prove's summary: `Files=3, Tests=42` and, per failing file,
 * `(Wstat: 256 Tests: 10 Failed: 2)`; a file that died or broke its plan counts as one failure.
 */
export async function runPgtapSuite(context: SuiteContext): Promise<SuiteResult> {
  const dir = join(context.repoRoot, 'tests', 'db')
  const files = listFiles(dir, (name) => name.endsWith('.test.sql'))
  if (files.length === 0) return { name: NAME, passed: 0, failed: 0, skipped: 'no tests/db/*.test.sql' }
  banner(`${NAME}: pg_prove ${files.length} files`)

  if (spawnSync('pg_prove', ['--version']).error) {
    console.error(`pg_prove is not installed; ${PGTAP_INSTALL_HINT}`)
    return { name: NAME, passed: 0, failed: 1 }
  }
  try {
    await withDb(
      context.dbUrl,
      'test',
      (sql) => sql`create extension if not exists pgtap with schema extensions`,
    )
  } catch (error) {
    console.error(`cannot create the pgtap extension (${(error as Error).message}); ${PGTAP_INSTALL_HINT}`)
    return { name: NAME, passed: 0, failed: 1 }
  }

  writeContractFieldsFixture(context.repoRoot)
  const url = new URL(context.dbUrl)
  const { code, stdout } = await runTool(
    'pg_prove',
    [
      '--host',
      url.hostname,
      '--port',
      url.port,
      '--username',
      decodeURIComponent(url.username),
      '--dbname',
      decodeURIComponent(url.pathname.slice(1)),
      ...files.map((file) => join('tests', 'db', file)),
    ],
    { ...context, env: { ...context.env, PGPASSWORD: decodeURIComponent(url.password) } },
  )
  return { name: NAME, ...countPgProve(stripAnsi(stdout), code) }
}

export function countPgProve(output: string, exitCode: number | null): { passed: number; failed: number } {
  const total = Number(/Files=\d+, Tests=(\d+)/.exec(output)?.[1] ?? 0)
  let failedAssertions = 0
  let brokenFiles = 0
  for (const match of output.matchAll(/\(Wstat: \d+ Tests: \d+ Failed: (\d+)\)/g)) {
    const failed = Number(match[1])
    failedAssertions += failed
    if (failed === 0) brokenFiles += 1
  }
  let failed = failedAssertions + brokenFiles
  if (exitCode !== 0 && failed === 0) failed = 1 // died before printing a summary
  return { passed: Math.max(0, total - failedAssertions), failed }
}

function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir).filter(keep).sort()
  } catch {
    return []
  }
}
