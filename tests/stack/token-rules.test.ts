import { readFileSync } from 'node:fs'
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { CLOCK_LEEWAY_SECONDS, TokenVerifier } from '../../shared/auth/verify.ts'
import { type TableJose, tokenTable, type TokenTableSpec } from '../fixtures/token-cases.ts'

// The one verifier (shared/auth/verify.ts) in Node; tests/functions/token_rules_test.ts runs the same table against
// it in Deno.
const spec = JSON.parse(
  readFileSync(new URL('../fixtures/token-cases.json', import.meta.url), 'utf8'),
) as TokenTableSpec
const table = await tokenTable(jose as unknown as TableJose, spec)
const verifier = new TokenVerifier({
  jwks: table.jwks as jose.JSONWebKeySet,
  jwtSecret: table.legacySecret,
  publishableKeys: [table.publishableKey],
  secretKeys: [table.secretKey],
})

describe('the token rules (Node: gateway, functions host, local auth)', () => {
  it('use the leeway the table was written for', () => {
    expect(CLOCK_LEEWAY_SECONDS).toBe(spec.leewaySeconds)
  })

  it.each(table.cases)('$name', async ({ token, expect: expected }) => {
    const result = await verifier.verify(token, table.now)
    expect(result.ok ? { ok: true, role: result.claims.role } : { ok: false, failure: result.failure })
      .toEqual(expected)
  })

  it('refuses HS256 when no legacy secret is configured, and ES256 without a JWKS', async () => {
    const hs = table.cases.find((c) => c.name === 'legacy HS256 user token')!.token
    const es = table.cases.find((c) => c.name === 'ES256 user token')!.token
    expect(await new TokenVerifier({ jwks: table.jwks as jose.JSONWebKeySet }).verify(hs, table.now))
      .toMatchObject({ ok: false, failure: 'signer' })
    expect(await new TokenVerifier({ jwtSecret: table.legacySecret }).verify(es, table.now)).toMatchObject({
      ok: false,
      failure: 'signer',
    })
  })

  it('words the failures Realtime knows as Realtime does', async () => {
    const message = async (name: string) => {
      const result = await verifier.verify(table.cases.find((c) => c.name === name)!.token, table.now)
      return result.ok ? undefined : result.message
    }
    expect(await message('expired a second ago')).toBe('Token has expired 1 seconds ago')
    expect(await message('no exp')).toBe('Fields `role` and `exp` are required in JWT')
    expect(await message('HS256 with another secret')).toBe('Failed to validate JWT signature')
    expect(await message('not a JWT')).toBe('The token provided is not a valid JWT')
    expect(await message('role postgres')).toMatch(/role "postgres" is not allowed/)
    expect(await message('sub not a UUID')).toMatch(/`sub` is not a user id/)
  })
})
