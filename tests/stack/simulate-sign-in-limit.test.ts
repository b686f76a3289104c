// `plater simulate` when the auth's sign-in budget is spent: a stack of this test's own (the shared one raises its
// limits for the other suites) whose budget is 60 sign-ins per 5 minutes — one back every 5 s — kept spent by
// wrong passwords from this machine until the simulator has been refused. Its staff must still get in (waiting
// the auth's Retry-After, and saying so) and the service must run, not fail on the first 429.
import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig, type StackConfig } from '../../stack/config.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { type RunningStack, startStack } from '../../stack/stack.ts'
import { SEED } from '../helpers/seed.ts'

const SIGN_INS_PER_WINDOW = 60

let dataDir: string
let config: StackConfig
let stack: RunningStack | undefined
let child: ChildProcess | undefined

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'plater-sign-in-limit-'))
  chmodSync(dataDir, 0o755) // Postgres runs as its own OS user when the tests run as root
  const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
  config = await resolveConfig({
    PLATER_DATA_DIR: dataDir,
    PLATER_API_PORT: String(apiPort),
    PLATER_DB_PORT: String(dbPort),
    PLATER_AUTH_RATE_LIMIT_SIGN_IN_SIGN_UPS: String(SIGN_INS_PER_WINDOW),
  })
  stack = await startStack(config, createLogger('sign-in-limit-test', 'error'))
}, 180_000)

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  await stack?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

/** One sign-in with a wrong password: the auth's status (400 while the budget lasts, then 429). */
async function wrongSignIn(): Promise<number> {
  const res = await fetch(`${config.apiUrl}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: config.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'nobody@sim.test', password: 'wrong' }),
  })
  await res.body?.cancel()
  return res.status
}

describe('plater simulate under the sign-in rate limit', () => {
  it('waits out the limit and runs the service instead of failing', { timeout: 120_000 }, async () => {
    let spent = false
    for (let attempt = 0; attempt <= SIGN_INS_PER_WINDOW * 2 && !spent; attempt++) {
      spent = (await wrongSignIn()) === 429
    }
    expect(spent, `the auth refused no sign-in past its budget of ${SIGN_INS_PER_WINDOW}`).toBe(true)

    let output = ''
    child = spawn(process.execPath, [
      join(import.meta.dirname, '../../stack/bin/plater.mjs'),
      'simulate',
      '--rate',
      '40/s',
      '--restaurant',
      SEED.diner,
      '--seed',
      '3',
    ], {
      env: {
        ...process.env,
        PLATER_DATA_DIR: dataDir,
        PLATER_API_PORT: String(config.apiPort),
        PLATER_DB_PORT: String(config.dbPort),
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (chunk) => (output += chunk))
    child.stderr!.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))

    // every sign-in token that comes back is taken at once, until the simulator has been refused one
    const refused = /sign-in rate limit is reached; signing \S+ in again in \d+ s/
    const acting = /^\d\d:\d\d:\d\d /m
    while (!refused.test(output) && !acting.test(output) && child.exitCode === null) await wrongSignIn()
    for (let waited = 0; !acting.test(output); waited += 250) {
      if (child.exitCode !== null) throw new Error(`the simulator exited (${child.exitCode}):\n${output}`)
      if (waited > 90_000) throw new Error(`the service never started:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    child.kill('SIGINT')
    expect(await exited, output).toBe(0)
    expect(output).toMatch(refused)
    expect(output).toMatch(/^Simulating Other Diner /m)
  })
})
