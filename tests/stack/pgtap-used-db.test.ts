// `plater test db` on a database that has served: a stack of this test's own (the shared one must keep its seed
// state for the other suites), `plater simulate` acting out a service in both seeded restaurants for a few hundred
// writes — tables left seated, orders open and closed, topic sequences moved — then the whole pgTAP suite, through
// the real CLI, against that database. It passes because every pgTAP file builds its own fixtures inside its
// transaction (tests/db/helpers/fixtures.sql) instead of counting seed rows.
import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres, { type Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig, type StackConfig } from '../../stack/config.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { type RunningStack, startStack } from '../../stack/stack.ts'
import { SEED } from '../helpers/seed.ts'

const PLATER = join(import.meta.dirname, '../../stack/bin/plater.mjs')
/** Status changes the service must have written before the suite runs against it. */
const WRITES = 300

let dataDir: string
let config: StackConfig
let stack: RunningStack | undefined
let sql: Sql
const children: ChildProcess[] = []

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'plater-used-db-'))
  chmodSync(dataDir, 0o755) // Postgres runs as its own OS user when the tests run as root
  const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
  config = await resolveConfig({
    PLATER_DATA_DIR: dataDir,
    PLATER_API_PORT: String(apiPort),
    PLATER_DB_PORT: String(dbPort),
  })
  stack = await startStack(config, createLogger('used-db-test', 'error'))
  sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} })
}, 180_000)

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await sql?.end({ timeout: 1 })
  await stack?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

/** The CLI against this test's stack, as a developer's shell would run it. */
function plater(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = ''
  const child = spawn(process.execPath, [PLATER, ...args], {
    env: {
      ...process.env,
      PLATER_DATA_DIR: dataDir,
      PLATER_API_PORT: String(config.apiPort),
      PLATER_DB_PORT: String(config.dbPort),
      NO_COLOR: '1',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function seedWrites(): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.status_history where restaurant_id in (${SEED.bistro}, ${SEED.diner})`
  return row!.n
}

describe('plater test db on a used database', () => {
  it(
    'passes after `plater simulate` has run a service in both seeded restaurants',
    { timeout: 300_000 },
    async () => {
      const services = [
        plater(['simulate', '--rate', '40/s', '--restaurant', SEED.bistro, '--seed', '11']),
        plater(['simulate', '--rate', '40/s', '--restaurant', SEED.diner, '--seed', '12']),
      ]
      for (let waited = 0; (await seedWrites()) < WRITES; waited += 250) {
        for (const service of services) {
          if (service.child.exitCode !== null) {
            throw new Error(
              `the simulator exited early:\n${service.output()}`,
            )
          }
        }
        if (waited > 180_000) {
          throw new Error(
            `the simulators wrote only ${await seedWrites()} status changes`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
      for (const service of services) service.child.kill('SIGINT')
      for (const service of services) expect(await service.exited).toBe(0)

      // used, as a service leaves it: orders of both seeded restaurants exist (a pgTAP count of seed rows would see them)
      const [used] = await sql<{ bistro: number; diner: number }[]>`
      select count(*) filter (where restaurant_id = ${SEED.bistro})::int as bistro,
             count(*) filter (where restaurant_id = ${SEED.diner})::int as diner
        from public.orders`
      expect(used!.bistro).toBeGreaterThan(0)
      expect(used!.diner).toBeGreaterThan(0)

      const suite = plater(['test', 'db'], { DATABASE_URL: config.dbUrl })
      const code = await suite.exited
      const summary = suite.output().trim().split('\n').at(-1)
      expect({ code, summary }, suite.output()).toEqual({
        code: 0,
        summary: expect.stringMatching(/^\d+ passed, 0 failed$/),
      })
    },
  )
})
