// SQL text with every value inlined as an escaped literal, for postgres.js's simple-query protocol.
//
// Why: with `prepare: false` (required by transaction poolers, see db.ts) postgres.js sends each parameterised
// statement as Parse+Describe, WAITS for the parameter types, then Bind+Execute — two round trips, and the
// connection cannot pipeline meanwhile. A statement without parameters goes in one round trip, and several
// statements can share one Query message (they run in one implicit transaction, or inside ours). The hot paths
// (revalidation: 1 round trip; a mutation: 3) are built this way.
//
// Safety: values are quoted exactly as libpq's PQescapeLiteral does it (quotes doubled; with a backslash the
// ` E''` form — leading space included, so it never fuses with the token before it — and backslashes doubled,
// which is correct whatever standard_conforming_strings says), NUL is refused (validation refuses it first, with
// a 400), numbers must be finite and are parenthesised (`5-${-1}` must not become `5--1`, a comment).
// Identifiers are never interpolated: statement shapes are fixed in the code.

export type SqlValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Record<string, unknown>
  | unknown[]

/** `value` as a SQL literal; objects and arrays become their JSON text (cast them, e.g. `::jsonb`). */
export function literal(value: SqlValue): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'bigint') return `(${value})`
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('cannot write a non-finite number into SQL')
    return `(${value})`
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  if (text.includes('\0')) throw new TypeError('cannot write a NUL character into SQL')
  const quoted = text.replaceAll("'", "''")
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`
}

/** A tagged template whose interpolations become literals: sqlText`select f(${topic})` → "select f('…')". */
export function sqlText(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += literal(values[i]) + strings[i + 1]!
  return out
}
