import { describe, expect, it } from 'vitest'
import { Backoff, backoffDelay } from '../../../shared/backoff.ts'
import { Coalescer } from '../../../client/src/coalescer.ts'
import { FakeClock } from './fakes.ts'

function coalescer(windowMs = 50, maxWaitMs = 200) {
  const clock = new FakeClock()
  const batches: { at: number; items: number[] }[] = []
  const start = clock.now()
  const c = new Coalescer<number>(
    clock,
    windowMs,
    maxWaitMs,
    (items) => batches.push({ at: clock.now() - start, items }),
  )
  return { clock, batches, c }
}

describe('coalesced notifications', () => {
  it('delivers a lone update at once, with no added delay', () => {
    const { batches, c } = coalescer()
    c.push(1)
    expect(batches).toEqual([{ at: 0, items: [1] }])
  })

  it('gathers a burst into one notification a window after its last change', async () => {
    const { clock, batches, c } = coalescer()
    c.push(1) // after a quiet period: at once
    for (let i = 2; i <= 5; i++) {
      await clock.advance(10)
      c.push(i)
    }
    expect(batches).toHaveLength(1)
    await clock.advance(49)
    expect(batches).toHaveLength(1)
    await clock.advance(1)
    expect(batches).toEqual([{ at: 0, items: [1] }, { at: 90, items: [2, 3, 4, 5] }])
  })

  it('never holds a change longer than the max wait under a steady stream', async () => {
    const { clock, batches, c } = coalescer(50, 200)
    c.push(0)
    for (let i = 1; i <= 60; i++) {
      await clock.advance(10)
      c.push(i)
    }
    await clock.advance(1000)
    const delivered = batches.flatMap((b) => b.items)
    expect(delivered).toEqual(Array.from({ length: 61 }, (_, i) => i)) // all, once, in order
    // the first gathered change (t=10) went out by t=210, not when the stream ended
    expect(batches[1]!.at).toBe(210)
    for (let i = 2; i < batches.length; i++) {
      expect(batches[i]!.at - batches[i - 1]!.at).toBeLessThanOrEqual(210)
    }
  })

  it('is quiet again after a window: the next lone update goes at once', async () => {
    const { clock, batches, c } = coalescer()
    c.push(1)
    c.push(2)
    await clock.advance(50)
    await clock.advance(100)
    c.push(3)
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3]])
  })
})

describe('backoff with full jitter', () => {
  const policy = { baseMs: 1000, maxMs: 30_000, floorRatio: 0.1 }

  it('draws from [floor, cap] of a cap that doubles per attempt up to the max', () => {
    expect([0, 1, 2, 5, 10].map((a) => backoffDelay(a, policy, () => 1))).toEqual([
      1000,
      2000,
      4000,
      30_000,
      30_000,
    ])
    expect([0, 1, 2, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([100, 200, 400, 3000])
  })

  it('spreads many clients over the window instead of sending them together', () => {
    let seed = 42
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    const delays = Array.from({ length: 500 }, () => backoffDelay(3, policy, random))
    const perSecond = new Array(8).fill(0)
    for (const d of delays) perSecond[Math.min(7, Math.floor(d / 1000))]++
    // 500 clients over an 8 s window: no second gets more than a fifth of them
    expect(Math.max(...perSecond)).toBeLessThan(100)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(800)
  })

  it('grows per failure, grows further when penalised, and starts over after a success', () => {
    const backoff = new Backoff(policy, () => 1)
    expect([backoff.next(), backoff.next()]).toEqual([1000, 2000])
    backoff.penalize(2)
    expect(backoff.next()).toBe(16_000)
    backoff.reset()
    expect(backoff.next()).toBe(1000)
  })
})
