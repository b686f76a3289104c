import assert from 'node:assert/strict'
import { DB_URL, HAS_DB } from './helpers.ts'
import { literal, sqlText } from '../../functions/_shared/sql-text.ts'
import { postgres } from '../../functions/_shared/deps.ts'

Deno.test('literal quotes strings like PQescapeLiteral', () => {
  assert.equal(literal('plain'), "'plain'")
  assert.equal(literal("it's"), "'it''s'")
  // PQescapeLiteral's leading space: the E never fuses with the token before it
  assert.equal(literal('back\\slash'), " E'back\\\\slash'")
  assert.equal(literal("both \\ and '"), " E'both \\\\ and '''")
  assert.equal(literal(''), "''")
})

Deno.test('literal writes numbers, booleans, null and JSON', () => {
  // parenthesised, so a negative number after a minus sign never becomes `--`, a comment
  assert.equal(literal(42), '(42)')
  assert.equal(literal(-1.5), '(-1.5)')
  assert.equal(literal(10n), '(10)')
  assert.equal(literal(-10n), '(-10)')
  assert.equal(literal(true), 'true')
  assert.equal(literal(null), 'null')
  assert.equal(literal(undefined), 'null')
  assert.equal(literal({ a: "x'y" }), `'{"a":"x''y"}'`)
  assert.equal(literal([1, 'b']), `'[1,"b"]'`)
})

Deno.test('literal refuses what SQL cannot hold', () => {
  assert.throws(() => literal('nul\0byte'), TypeError)
  assert.throws(() => literal(Number.NaN), TypeError)
  assert.throws(() => literal(Number.POSITIVE_INFINITY), TypeError)
})

Deno.test('sqlText interpolates literals only', () => {
  assert.equal(sqlText`select f(${"a'b"}, ${3}::int, ${null})`, "select f('a''b', (3)::int, null)")
  assert.equal(sqlText`select 5-${-1}`, 'select 5-(-1)')
  assert.equal(sqlText`select 'x'||${'a\\b'}`, "select 'x'|| E'a\\\\b'")
})

Deno.test({
  name: 'negative numbers and E-strings mean in Postgres what they say',
  ignore: !HAS_DB,
  async fn() {
    const sql = postgres(DB_URL!, { prepare: false, max: 1, onnotice: () => {} })
    try {
      const [row] = await sql.unsafe(
        sqlText`select 5-${-1} as diff, 5-${-1n} as big, 2*${-0.5} as half, 'a'||${'\\'}||'b' as text`,
      )
      assert.deepEqual({ ...row }, { diff: 6, big: 6, half: '-1.0', text: 'a\\b' })
    } finally {
      await sql.end()
    }
  },
})

Deno.test({
  name: 'literal round-trips hostile strings through Postgres',
  ignore: !HAS_DB,
  async fn() {
    const sql = postgres(DB_URL!, { prepare: false, max: 1, onnotice: () => {} })
    try {
      const samples = [
        "'; drop table public.orders; --",
        'back\\slash \\\\ and \\x41',
        "mixed ' \\ ' \\' ''",
        '$$ dollar $tag$ quotes $$',
        'unicode ✓ 日本 🍔',
        "E'not an escape'",
        '\n\t\r newline tab',
      ]
      for (const conforming of ['on', 'off']) {
        await sql.unsafe(`set standard_conforming_strings = ${conforming}`)
        for (const sample of samples) {
          const [row] = await sql.unsafe(
            sqlText`select ${sample}::text as value, ${sample} = ${sample} as same`,
          )
          assert.equal(row!.value, sample, `standard_conforming_strings=${conforming}`)
          assert.equal(row!.same, true)
        }
      }
      const [json] = await sql.unsafe(sqlText`select ${{ k: samples }}::jsonb -> 'k' as value`)
      assert.deepEqual(json!.value, samples)
    } finally {
      await sql.end()
    }
  },
})
