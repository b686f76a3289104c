// client/README.md's quick start, run as written (built package, self-referenced by name) against the test stack:
// it signs in as the seeded grill cook and prints their tickets.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../stack/config.ts';
import { SEED_MENU } from '../helpers/seed.ts';
import { EMAILS, ownerDb, ownTable, testStack } from './functions-helpers.ts';
import { type Staff, staffClient, waitUntil } from './client-helpers.ts';

const script = join(repoRoot, `.quickstart-${process.pid}.mjs`);
let sql: Sql;
let server: Staff;

beforeAll(async () => {
  sql = ownerDb();
  server = await staffClient(testStack().apiUrl, testStack().anonKey, EMAILS.ana);
});
afterAll(async () => {
  rmSync(script, { force: true });
  await server?.plater.close();
  await sql?.end();
});

function quickStart(): string {
  const readme = readFileSync(join(repoRoot, 'client/README.md'), 'utf8');
  const block = /## Quick start[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('client/README.md has no quick start block');
  return block;
}

describe('the README quick start', () => {
  it('is ten lines and prints the seeded cook\'s tickets', { timeout: 90_000 }, async () => {
    const code = quickStart();
    expect(code.trim().split('\n')).toHaveLength(10);
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'client/tsconfig.json')]);
    writeFileSync(script, code);

    const table = await ownTable(sql);
    await server.plater.mutations.seatTable({ tableId: table.id, partySize: 2 });
    await server.plater.mutations.placeOrder({ tableId: table.id, items: [{ menuItemId: SEED_MENU.burger, qty: 3 }] });

    const env = testStack();
    const child = spawn(process.execPath, [script], {
      cwd: repoRoot,
      env: { ...process.env, API_URL: env.apiUrl, ANON_KEY: env.anonKey, NODE_NO_WARNINGS: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    try {
      await waitUntil(() => out.includes(table.label) || child.exitCode !== null, 'the tickets table', 60_000);
      expect(err.replace(/.*deprecated.*\n?/g, '')).toBe('');
      expect(out).toMatch(new RegExp(`${table.label}.*Burger.*3.*pending`));
    } finally {
      child.kill();
    }
  });
});
