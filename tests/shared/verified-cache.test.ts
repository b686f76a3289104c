import { describe, expect, it } from 'vitest'
import type { TokenResult, Verifier } from '../../shared/auth/verify.ts'
import { VerifiedTokenCache } from '../../shared/auth/verified-cache.ts'

/** A verifier that counts its calls: tokens `ok:<exp>` verify with that `exp`, any other token fails. */
function countingVerifier(): Verifier & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    verify(token: string): Promise<TokenResult> {
      calls.push(token)
      const exp = /^ok:(\d+)$/.exec(token)?.[1]
      return Promise.resolve(
        exp === undefined
          ? { ok: false, failure: 'signature', message: 'Failed to validate JWT signature' }
          : {
            ok: true,
            claims: { role: 'authenticated', sub: '00000000-0000-4000-8000-000000000001', exp: Number(exp) },
          },
      )
    },
  }
}

describe('the verified-token cache', () => {
  it('checks a token once while it is valid, and hands back the same claims object', async () => {
    const rules = countingVerifier()
    const cache = new VerifiedTokenCache(rules)
    const first = await cache.verify('ok:1000', 900)
    const second = await cache.verify('ok:1000', 999)
    expect(rules.calls).toEqual(['ok:1000'])
    expect(first.ok && second.ok && first.claims === second.claims).toBe(true)
  })

  it('asks the rules again once the token has expired (for their failure and its words)', async () => {
    const rules = countingVerifier()
    const cache = new VerifiedTokenCache(rules)
    await cache.verify('ok:1000', 900)
    await cache.verify('ok:1000', 1000)
    expect(rules.calls).toEqual(['ok:1000', 'ok:1000'])
  })

  it('never remembers a failure', async () => {
    const rules = countingVerifier()
    const cache = new VerifiedTokenCache(rules)
    expect(await cache.verify('forged', 900)).toMatchObject({ ok: false, failure: 'signature' })
    expect(await cache.verify('forged', 900)).toMatchObject({ ok: false })
    expect(rules.calls).toEqual(['forged', 'forged'])
  })

  it(`holds at most ${VerifiedTokenCache.MAX_TOKENS} tokens, dropping the oldest`, async () => {
    const rules = countingVerifier()
    const cache = new VerifiedTokenCache(rules)
    for (let exp = 1000; exp < 1000 + VerifiedTokenCache.MAX_TOKENS + 1; exp++) {
      await cache.verify(`ok:${exp}`, 900)
    }
    rules.calls.length = 0
    await cache.verify(`ok:${1000 + VerifiedTokenCache.MAX_TOKENS}`, 900) // the newest: still there
    await cache.verify('ok:1001', 900) // the second oldest: still there
    await cache.verify('ok:1000', 900) // the oldest: dropped
    expect(rules.calls).toEqual(['ok:1000'])
  })
})
