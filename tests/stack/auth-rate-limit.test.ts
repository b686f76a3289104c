// The auth's per-IP token buckets on a clock the test moves, and where their budgets come from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadAuthRateLimits, RATE_LIMIT_WINDOW_MS, RateLimiter } from '../../stack/auth/rate-limit.ts'
import { repoRoot } from '../../stack/config.ts'

class Clock {
  ms = 1_000_000
  readonly now = () => this.ms
}

describe('RateLimiter', () => {
  it('admits `limit` requests at once, then one per window/limit, and says how long to wait', () => {
    const clock = new Clock()
    const limiter = new RateLimiter(30, RATE_LIMIT_WINDOW_MS, clock.now)
    for (let i = 0; i < 30; i++) expect(limiter.take('10.0.0.1')).toEqual({ allowed: true })
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 10 })

    clock.ms += 4_000
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 6 })
    clock.ms += 6_000 // one token refilled (300 s / 30)
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: true })
    expect(limiter.take('10.0.0.1').allowed).toBe(false)

    clock.ms += RATE_LIMIT_WINDOW_MS // a whole window: the full budget again, never more
    for (let i = 0; i < 30; i++) expect(limiter.take('10.0.0.1').allowed).toBe(true)
    expect(limiter.take('10.0.0.1').allowed).toBe(false)
  })

  it('keeps one budget per key, and a refused request costs nothing', () => {
    const clock = new Clock()
    const limiter = new RateLimiter(2, 60_000, clock.now)
    limiter.take('a')
    limiter.take('a')
    for (let i = 0; i < 100; i++) expect(limiter.take('a').allowed).toBe(false)
    expect(limiter.take('b')).toEqual({ allowed: true })
    clock.ms += 30_000
    expect(limiter.take('a')).toEqual({ allowed: true })
  })

  it('forgets refilled buckets when it tracks too many keys, and still limits the busy ones', () => {
    const clock = new Clock()
    const limiter = new RateLimiter(1, 1_000, clock.now, 3)
    limiter.take('busy')
    limiter.take('idle-1')
    limiter.take('idle-2')
    clock.ms += 500
    limiter.take('busy') // refused, half refilled
    clock.ms += 400
    expect(limiter.take('new').allowed).toBe(true) // no bucket is full yet: kept
    clock.ms += 1_000
    expect(limiter.take('newer').allowed).toBe(true) // the refilled ones were forgotten
    expect(limiter.take('busy').allowed).toBe(true)
    expect(limiter.take('busy').allowed).toBe(false)
  })
})

describe('loadAuthRateLimits', () => {
  const dirs: string[] = []
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
  function projectWith(toml: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'plater-rate-limits-'))
    dirs.push(dir)
    mkdirSync(join(dir, 'supabase'))
    writeFileSync(join(dir, 'supabase', 'config.toml'), toml)
    return dir
  }

  it("reads this project's supabase/config.toml", () => {
    expect(loadAuthRateLimits(repoRoot, {})).toEqual({ sign_in_sign_ups: 30, token_refresh: 150 })
  })

  it("takes a PLATER_AUTH_RATE_LIMIT_<KEY> over the file, and GoTrue's default for a key the file leaves out", () => {
    const dir = projectWith('[auth.rate_limit]\ntoken_refresh = 12\n')
    expect(loadAuthRateLimits(dir, {})).toEqual({ sign_in_sign_ups: 30, token_refresh: 12 })
    expect(loadAuthRateLimits(dir, { PLATER_AUTH_RATE_LIMIT_SIGN_IN_SIGN_UPS: '5' })).toEqual({
      sign_in_sign_ups: 5,
      token_refresh: 12,
    })
  })

  it('refuses a value that is not a whole number ≥ 1, naming where it came from', () => {
    expect(() => loadAuthRateLimits(repoRoot, { PLATER_AUTH_RATE_LIMIT_TOKEN_REFRESH: 'lots' })).toThrow(
      /PLATER_AUTH_RATE_LIMIT_TOKEN_REFRESH/,
    )
    expect(() => loadAuthRateLimits(projectWith('[auth.rate_limit]\nsign_in_sign_ups = 0\n'), {})).toThrow(
      /sign_in_sign_ups/,
    )
  })
})
