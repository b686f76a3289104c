// The token table (tests/fixtures/token-cases.json) against the functions' verifier; the same table runs against
// the stack's (Node) verifier in tests/stack/token-rules.test.ts.
import assert from 'node:assert/strict'
import { jose } from '../../functions/_shared/deps.ts'
import { CLOCK_LEEWAY_SECONDS, createTokenVerifier } from '../../functions/_shared/auth.ts'
import { type TableJose, tokenTable, type TokenTableSpec } from '../fixtures/token-cases.ts'

const spec = JSON.parse(
  await Deno.readTextFile(new URL('../fixtures/token-cases.json', import.meta.url)),
) as TokenTableSpec
const table = await tokenTable(jose as unknown as TableJose, spec)
const verify = createTokenVerifier({
  jwks: jose.createLocalJWKSet(table.jwks as jose.JSONWebKeySet),
  jwtSecret: table.legacySecret,
  publishableKeys: [table.publishableKey],
  secretKeys: [table.secretKey],
})

Deno.test("the token table uses the functions' leeway", () => {
  assert.equal(CLOCK_LEEWAY_SECONDS, spec.leewaySeconds)
})

for (const { name, token, expect } of table.cases) {
  Deno.test(`token rules: ${name}`, async () => {
    const result = await verify(token, table.now)
    assert.deepEqual(
      result.ok ? { ok: true, role: result.claims.role } : { ok: false, failure: result.failure },
      expect,
    )
  })
}
