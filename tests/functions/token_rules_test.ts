// The token table (tests/fixtures/token-cases.json) against the one verifier (shared/auth/verify.ts) as the
// functions run it, in Deno; tests/stack/token-rules.test.ts runs the same table against it in Node.
import assert from 'node:assert/strict'
import { jose } from '../../functions/_shared/deps.ts'
import { CLOCK_LEEWAY_SECONDS, TokenVerifier } from '@plater/shared/auth/verify.ts'
import { type TableJose, tokenTable, type TokenTableSpec } from '../fixtures/token-cases.ts'

const spec = JSON.parse(
  await Deno.readTextFile(new URL('../fixtures/token-cases.json', import.meta.url)),
) as TokenTableSpec
const table = await tokenTable(jose as unknown as TableJose, spec)
// a key resolver, as the functions' remote JWKS is
const verifier = new TokenVerifier({
  jwks: jose.createLocalJWKSet(table.jwks as jose.JSONWebKeySet),
  jwtSecret: table.legacySecret,
  publishableKeys: [table.publishableKey],
  secretKeys: [table.secretKey],
})

Deno.test("the token table uses the verifier's leeway", () => {
  assert.equal(CLOCK_LEEWAY_SECONDS, spec.leewaySeconds)
})

for (const { name, token, expect } of table.cases) {
  Deno.test(`token rules: ${name}`, async () => {
    const result = await verifier.verify(token, table.now)
    assert.deepEqual(
      result.ok ? { ok: true, role: result.claims.role } : { ok: false, failure: result.failure },
      expect,
    )
  })
}
