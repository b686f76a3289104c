// The `plater` CLI as a shell runs it (a child process): `--help`/`-h` on every command prints that command's usage
// and touches nothing; an unknown argument is a usage error (exit 2) before anything is touched; `reset` refuses a
// database plater does not run unless told `--yes`, and says what it resets; `status -o env` prints lines that
// `eval` turns into exported variables a child process sees.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellQuoted } from '../../stack/commands/status-values.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { writeStackState } from '../../stack/state.ts'

const PLATER = join(import.meta.dirname, '../../stack/bin/plater.mjs')
const COMMANDS = ['start', 'stop', 'status', 'reset', 'token', 'simulate', 'test']

let scratch: string
let env: NodeJS.ProcessEnv
let cases = 0

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'plater-cli-'))
  // Ports nobody listens on: a command that wrongly acts fails there instead of reaching a developer's stack.
  const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
  env = { ...process.env, PLATER_API_PORT: String(apiPort), PLATER_DB_PORT: String(dbPort), NO_COLOR: '1' }
  delete env.DATABASE_URL
})

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
}

/** A data dir that does not exist: a command that wrongly acts creates it. */
function untouchedDataDir(): string {
  return join(scratch, `never-created-${++cases}`)
}

/** Runs `plater …`; one that is still running after `limitMs` (it acted: started a stack, a reset…) is killed. */
function plater(args: string[], extraEnv: NodeJS.ProcessEnv = {}, limitMs = 60_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PLATER, ...args], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

// Each case is its own process and independent of the others: they run a few at a time.
describe.concurrent('plater <command> --help', { timeout: 90_000 }, () => {
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      it(`\`plater ${command} ${flag}\` prints its usage, exits 0 and touches nothing`, async () => {
        const dataDir = untouchedDataDir()
        const outcome = await plater([command, flag], { PLATER_DATA_DIR: dataDir })
        expect(outcome.code, outcome.stderr).toBe(0)
        expect(outcome.stdout).toMatch(new RegExp(`^Usage: plater ${command}\\b`, 'm'))
        expect(existsSync(dataDir)).toBe(false)
      })
    }
  }

  it('wins over anything else on the line: `plater reset --yes --help` does not reset', async () => {
    const outcome = await plater(['reset', '--yes', '--help'], {
      DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:1/postgres',
      PLATER_DATA_DIR: untouchedDataDir(),
    })
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toMatch(/^Usage: plater reset/m)
    expect(outcome.stdout).not.toMatch(/Resetting/)
  })

  it('`plater --help` lists every command', async () => {
    const outcome = await plater(['--help'], { PLATER_DATA_DIR: untouchedDataDir() })
    expect(outcome.code).toBe(0)
    for (const command of COMMANDS) expect(outcome.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
  })
})

describe.concurrent('unknown arguments', { timeout: 90_000 }, () => {
  const cases: string[][] = [
    ['start', 'now'],
    ['start', '--detach'],
    ['stop', '--all'],
    ['status', '--verbose'],
    ['status', '-o', 'yaml'],
    ['reset', '--force'],
    ['reset', 'everything'],
    ['token', '--email', 'manager@bistro.test', '--role', 'manager'],
    ['token'],
    ['simulate', '--fast'],
    ['simulate', '--rate', 'fast'],
    ['test', 'unit'],
    ['test', 'db', 'db'],
    ['frobnicate'],
  ]
  for (const args of cases) {
    it(`\`plater ${args.join(' ')}\` is a usage error (exit 2) that touches nothing`, async () => {
      const dataDir = untouchedDataDir()
      const outcome = await plater(args, { PLATER_DATA_DIR: dataDir })
      expect(outcome.code, outcome.stdout + outcome.stderr).toBe(2)
      expect(outcome.stderr).toMatch(/^plater: /m)
      expect(outcome.stderr).toMatch(/^Usage: plater /m)
      expect(existsSync(dataDir)).toBe(false)
    })
  }
})

describe('plater reset', () => {
  const external = 'postgresql://someone:s3cret@127.0.0.1:1/their_db'

  it('refuses a database plater does not run (DATABASE_URL) without --yes, naming it without its password', async () => {
    const outcome = await plater(['reset'], {
      DATABASE_URL: external,
      PLATER_DATA_DIR: join(scratch, 'reset-refused'),
    })
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toContain('refusing to reset postgresql://someone@127.0.0.1:1/their_db')
    expect(outcome.stderr).toContain('--yes')
    expect(outcome.stdout + outcome.stderr).not.toContain('s3cret')
  })

  it('with --yes says what it destroys, then goes ahead (here: nothing listens, so it fails to connect)', async () => {
    const outcome = await plater(['reset', '--yes'], {
      DATABASE_URL: external,
      PLATER_DATA_DIR: join(scratch, 'reset-yes'),
    })
    expect(outcome.stdout).toMatch(
      /^Resetting postgresql:\/\/someone@127\.0\.0\.1:1\/their_db, .*every row in it is dropped/m,
    )
    expect(outcome.code).toBe(1)
    expect(outcome.stdout + outcome.stderr).not.toContain('s3cret')
  })
})

describe('plater status -o env', () => {
  it('prints lines a shell evals into exported variables that a child process sees', () => {
    const dataDir = mkdtempSync(join(scratch, 'status-'))
    // a running stack, as `plater start` records it (this test process stands in for its pid)
    writeStackState(dataDir, {
      pid: process.pid,
      apiUrl: 'http://127.0.0.1:54999',
      dbUrl: 'postgresql://postgres:postgres@127.0.0.1:54998/postgres',
      startedAt: new Date().toISOString(),
    })
    const script =
      `eval "$("${process.execPath}" "${PLATER}" status -o env)" && "${process.execPath}" -e 'console.log(JSON.stringify({ url: process.env.API_URL, anon: process.env.ANON_KEY, db: process.env.DB_URL }))'`
    const shell = spawnSync('bash', ['-c', script], {
      env: { ...env, PLATER_DATA_DIR: dataDir },
      encoding: 'utf8',
    })
    expect(shell.status, shell.stderr).toBe(0)
    const seen = JSON.parse(shell.stdout.trim().split('\n').at(-1)!) as {
      url?: string
      anon?: string
      db?: string
    }
    expect(seen.url).toBe('http://127.0.0.1:54999')
    expect(seen.db).toBe('postgresql://postgres:postgres@127.0.0.1:54998/postgres')
    expect(seen.anon).toMatch(/^eyJ/)
  })

  it('quotes any value so that the shell gives it back unchanged', () => {
    const value = 'a "quoted" $HOME `date` \\ back\\slash \'single\' $(id) end'
    const line = `export VALUE=${shellQuoted(value)}`
    const shell = spawnSync('bash', ['-c', 'eval "$LINE"; printf %s "$VALUE"'], {
      env: { ...env, LINE: line },
      encoding: 'utf8',
    })
    expect(shell.stdout).toBe(value)
  })
})
