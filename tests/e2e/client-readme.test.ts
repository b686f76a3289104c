// client/README.md's quick start, run as written against the test stack in an app outside this repository (a new
// directory, the packed client installed from its tarball as the README says): it signs in as the seeded grill
// cook and prints their tickets.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'
import { appOutside, installApp } from '../helpers/app-outside.ts'
import { SEED_MENU } from '../helpers/seed.ts'
import { EMAILS, ownerDb, ownTable, testStack } from './functions-helpers.ts'
import { type Staff, staffClient, waitUntil } from './client-helpers.ts'

let app: { dir: string; tarball: string }
let sql: Sql
let server: Staff

beforeAll(async () => {
  sql = ownerDb()
  server = await staffClient(testStack().apiUrl, testStack().anonKey, EMAILS.ana)
  app = appOutside(inject('packedClient'))
  writeFileSync(
    join(app.dir, 'package.json'),
    JSON.stringify({ name: 'quickstart', private: true, type: 'module' }),
  )
  await installApp(app.dir, [app.tarball, ...quickStartInstall().slice(1)])
}, 120_000)
afterAll(async () => {
  if (app) rmSync(app.dir, { recursive: true, force: true })
  await server?.plater.close()
  await sql?.end()
})

const readme = () => readFileSync(join(repoRoot, 'client/README.md'), 'utf8')

function quickStart(): string {
  const block = /## Quick start[\s\S]*?```js\n([\s\S]*?)```/.exec(readme())?.[1]
  if (!block) throw new Error('client/README.md has no quick start block')
  return block
}

/** The packages the quick start's `npm install` names: the tarball first, then the exact versions it pins. */
function quickStartInstall(): string[] {
  const line = /## Quick start[\s\S]*?```sh\n[\s\S]*?npm install (\S+\.tgz(?: \S+)*)\n/.exec(readme())?.[1]
  if (!line) throw new Error("client/README.md's quick start has no `npm install …tgz …` line")
  return line.split(' ')
}

describe('the README quick start', () => {
  it("is ten lines and prints the seeded cook's tickets", { timeout: 90_000 }, async () => {
    const code = quickStart()
    expect(code.trim().split('\n')).toHaveLength(10)
    const script = join(app.dir, 'quickstart.mjs')
    writeFileSync(script, code)

    const table = await ownTable(sql)
    await server.plater.mutations.seatTable({ tableId: table.id, partySize: 2 })
    await server.plater.mutations.placeOrder({
      tableId: table.id,
      items: [{ menuItemId: SEED_MENU.burger, qty: 3 }],
    })

    const env = testStack()
    const child = spawn(process.execPath, [script], {
      cwd: app.dir,
      env: { ...process.env, API_URL: env.apiUrl, ANON_KEY: env.anonKey, NODE_NO_WARNINGS: '1' },
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (err += chunk))
    try {
      await waitUntil(() => out.includes(table.label) || child.exitCode !== null, 'the tickets table', 60_000)
      expect(err.replace(/.*deprecated.*\n?/g, '')).toBe('')
      expect(out).toMatch(new RegExp(`${table.label}.*Burger.*3.*pending`))
    } finally {
      child.kill()
    }
  })
})
