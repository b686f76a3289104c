import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { testStack } from '../helpers/stack-env.ts'

// The migrations are feature-sectioned baselines in which every function, trigger and table is defined once, in
// its final form (docs/architecture.md, "Migrations"): what a function does today is read in one place, not
// reconstructed from a chain of CREATE OR REPLACE. A change to a function edits its definition in place while
// nothing is deployed; once something is, the rule for a new migration is in docs/architecture.md.
const MIGRATIONS = join(import.meta.dirname, '..', '..', 'migrations')

type Kind = 'function' | 'trigger' | 'table'
const DEFINITIONS: Record<Kind, RegExp> = {
  function: /\bcreate\s+(?:or\s+replace\s+)?function\s+([\w.]+)\s*\(/gi,
  trigger:
    /\bcreate\s+(?:or\s+replace\s+)?trigger\s+(\w+)\s+(?:before|after|instead\s+of)\b[\s\S]*?\bon\s+([\w.]+)/gi,
  table: /\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?([\w.]+)/gi,
}

/** Every definition of a kind in the migration files, as `name → files` (a file twice if it defines it twice);
 * a trigger is named `schema.table.trigger`, as triggers are per table. */
function definitions(kind: Kind, files: Map<string, string>): Map<string, string[]> {
  const found = new Map<string, string[]>()
  for (const [file, text] of files) {
    const code = text.replace(/--.*$/gm, '')
    for (const match of code.matchAll(DEFINITIONS[kind])) {
      const name = kind === 'trigger' ? `${match[2]}.${match[1]}` : match[1]!
      found.set(name.toLowerCase(), [...(found.get(name.toLowerCase()) ?? []), file])
    }
  }
  return found
}

function definedTwice(kind: Kind, files: Map<string, string>): Record<string, string[]> {
  return Object.fromEntries([...definitions(kind, files)].filter(([, where]) => where.length > 1))
}

function migrationFiles(): Map<string, string> {
  const names = readdirSync(MIGRATIONS).filter((name) => name.endsWith('.sql')).sort()
  return new Map(names.map((name) => [name, readFileSync(join(MIGRATIONS, name), 'utf8')]))
}

const OBJECTS_IN_DATABASE: Record<Kind, string> = {
  // extension members (pgTAP, installed by the pgTAP suites) are not ours
  function:
    `select n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname in ('public', 'plater_private')
                and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                                                          and d.deptype = 'e')`,
  trigger: `select c.relnamespace::regnamespace::text || '.' || c.relname || '.' || t.tgname as name
              from pg_trigger t join pg_class c on c.oid = t.tgrelid
             where not t.tgisinternal and c.relnamespace::regnamespace::text in ('public', 'plater_private')`,
  table: `select c.relnamespace::regnamespace::text || '.' || c.relname as name from pg_class c
           where c.relkind in ('r', 'p') and c.relnamespace::regnamespace::text in ('public', 'plater_private')`,
}

describe('migrations define each object once', () => {
  const files = migrationFiles()

  it.each(['function', 'trigger', 'table'] as const)('no %s is defined twice', (kind) => {
    expect(definedTwice(kind, files)).toEqual({})
  })

  it('catches a later file that redefines a function', () => {
    const redefinition =
      'create or replace function plater_private.kds_item(i int) returns int language sql as $$ select 1 $$;'
    const later = new Map([...files, ['99999999999999_later.sql', redefinition]])
    expect(definedTwice('function', later)).toMatchObject({
      'plater_private.kds_item': expect.arrayContaining(['99999999999999_later.sql']),
    })
  })

  describe('against the migrated database', () => {
    const sql = postgres(testStack().dbUrl, { max: 1, onnotice: () => {} })
    afterAll(() => sql.end())

    it.each(['function', 'trigger', 'table'] as const)(
      'every %s the database has is one the migrations define',
      async (kind) => {
        const inDatabase = (await sql.unsafe<{ name: string }[]>(OBJECTS_IN_DATABASE[kind])).map((row) =>
          row.name
        )
        expect([...new Set(inDatabase)].sort()).toEqual([...definitions(kind, files).keys()].sort())
      },
    )
  })
})
