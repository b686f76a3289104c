import { describe, expect, it } from 'vitest'
import { Backoff, RestartBackoff } from '../../../shared/backoff.ts'
import { RESTART_BACKOFF } from '../../../stack/restart-backoff.ts'
import { ManualClock } from '../../gateway/helpers/manual-clock.ts'

// The one backoff as the stack's loops use it (the client's jitter is tested in tests/unit/client): exact delays
// without jitter, and a run that lasted long enough on the injected clock forgives the failures before it.

describe('the restart backoff of the supervisors and functions workers', () => {
  it('waits 250 ms doubling to 10 s, the same whatever the random source draws', () => {
    for (const draw of [0, 0.5, 1]) {
      const backoff = new RestartBackoff(RESTART_BACKOFF, () => draw, new ManualClock())
      expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([
        250,
        500,
        1000,
        2000,
        4000,
        8000,
        10_000,
        10_000,
      ])
      expect(backoff.attempts).toBe(8)
    }
  })

  it('starts over after a run longer than a minute on its clock, and not after a shorter one', () => {
    const clock = new ManualClock()
    const backoff = new RestartBackoff(RESTART_BACKOFF, Math.random, clock)
    expect([backoff.next(), backoff.next()]).toEqual([250, 500])

    backoff.started()
    clock.advance(RESTART_BACKOFF.resetAfterMs)
    backoff.stopped() // exactly a minute is not longer than one
    expect(backoff.next()).toBe(1000)

    backoff.started()
    clock.advance(RESTART_BACKOFF.resetAfterMs + 1)
    backoff.stopped()
    expect(backoff.attempts).toBe(0)
    expect(backoff.next()).toBe(250)
  })

  it('counts a stop right after a start as another failure, however long ago the backoff was made', () => {
    const clock = new ManualClock()
    const backoff = new RestartBackoff(RESTART_BACKOFF, Math.random, clock)
    clock.advance(RESTART_BACKOFF.resetAfterMs + 1)
    backoff.next()
    backoff.started()
    backoff.stopped()
    expect(backoff.next()).toBe(500)
  })
})

describe("the replication ingest's backoff", () => {
  it('doubles from 100 ms to 5 s without jitter and starts over only on reset()', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 5000, floorRatio: 1 }, Math.random)
    expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([
      100,
      200,
      400,
      800,
      1600,
      3200,
      5000,
      5000,
    ])
    backoff.reset()
    expect(backoff.next()).toBe(100)
  })
})
