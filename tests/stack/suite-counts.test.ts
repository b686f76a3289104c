import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { denoEnv } from '../../stack/deno.ts'
import { countDeno } from '../../stack/testing/deno-suite.ts'
import { countPgProve } from '../../stack/testing/pgtap-suite.ts'
import { stripAnsi } from '../../stack/testing/suite.ts'
import { testStack } from '../helpers/stack-env.ts'

// The summary line adds up what each tool reports; these run the real tools on tiny suites with known outcomes.
const dir = mkdtempSync(join(tmpdir(), 'plater-counts-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  })
  return { code: result.status, stdout: stripAnsi(result.stdout) }
}

describe('counting pg_prove results', () => {
  const url = new URL(testStack().dbUrl)
  const pgProve = (files: string[]) =>
    run('pg_prove', [
      '-h',
      url.hostname,
      '-p',
      url.port,
      '-U',
      url.username,
      '-d',
      url.pathname.slice(1),
      ...files,
    ], {
      PGPASSWORD: decodeURIComponent(url.password),
    })

  it('counts passed and failed assertions across files', () => {
    writeFileSync(
      join(dir, 'a.sql'),
      `begin; select plan(3); select pass('a1'); select fail('a2'); select pass('a3'); select * from finish(); rollback;`,
    )
    writeFileSync(
      join(dir, 'b.sql'),
      `begin; select plan(2); select pass('b1'); select pass('b2'); select * from finish(); rollback;`,
    )
    const { code, stdout } = pgProve(['a.sql', 'b.sql'])
    expect(countPgProve(stdout, code)).toEqual({ passed: 4, failed: 1 })
  })

  it('counts a file that breaks its plan as a failure even when no assertion failed', () => {
    writeFileSync(
      join(dir, 'c.sql'),
      `begin; select plan(3); select pass('c1'); select * from finish(); rollback;`,
    )
    const { code, stdout } = pgProve(['c.sql'])
    expect(countPgProve(stdout, code)).toEqual({ passed: 1, failed: 1 })
  })
})

describe('counting deno test results', () => {
  it('reads passed and failed tests from the summary line', () => {
    writeFileSync(
      join(dir, 'sample_test.ts'),
      `import assert from 'node:assert/strict';
       Deno.test('one', () => assert.equal(1, 1));
       Deno.test('two', () => assert.equal(2, 2));
       Deno.test('three', () => assert.equal(3, 4));`,
    )
    const deno = join(process.cwd(), 'node_modules', '.bin', 'deno')
    const { code, stdout } = run(deno, ['test', '--no-check', 'sample_test.ts'], {
      DENO_DIR: join(dir, '.deno'),
    })
    expect(code).not.toBe(0)
    expect(countDeno(stdout, code)).toEqual({ passed: 2, failed: 1 })
  })

  it('counts ignored tests as failed: under npm test nothing may be skipped', () => {
    writeFileSync(
      join(dir, 'ignored_test.ts'),
      `Deno.test('runs', () => {});
       Deno.test({ name: 'needs a database', ignore: true, fn() {} });`,
    )
    const deno = join(process.cwd(), 'node_modules', '.bin', 'deno')
    const { code, stdout } = run(deno, ['test', '--no-check', 'ignored_test.ts'], {
      DENO_DIR: join(dir, '.deno'),
    })
    expect(code).toBe(0) // deno itself calls this a success
    expect(countDeno(stdout, code)).toEqual({ passed: 1, failed: 1 })
  })

  it('makes the database tests fail to load when npm test has no database for them', () => {
    const repo = process.cwd()
    const result = spawnSync(join(repo, 'node_modules', '.bin', 'deno'), [
      'test',
      '--no-check',
      '-A',
      'tests/functions/sql_text_test.ts',
    ], {
      cwd: repo,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...denoEnv(repo),
        NO_COLOR: '1',
        PLATER_DB_URL: '',
        SUPABASE_DB_URL: '',
        PLATER_TEST_REQUIRE_DB: '1',
      },
    })
    expect(`${result.stdout}${result.stderr}`).toContain(
      'PLATER_TEST_REQUIRE_DB=1 but PLATER_DB_URL is not set',
    )
    expect(countDeno(stripAnsi(result.stdout), result.status).failed).toBeGreaterThan(0)
  })

  it('counts a run that fails before any test as one failure', () => {
    expect(countDeno('error: Module not found "file:///x.ts".', 1)).toEqual({ passed: 0, failed: 1 })
  })
})
