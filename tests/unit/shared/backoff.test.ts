import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../shared/backoff.ts';
import { RESTART_BACKOFF } from '../../../stack/restart-backoff.ts';
import { ManualClock } from '../../gateway/helpers/manual-clock.ts';

// The one backoff as the stack's loops use it (the client's jitter is tested in tests/unit/client): exact delays
// without jitter, and a run that lasted long enough on the injected clock forgives the failures before it.

describe('the restart backoff of the supervisors and functions workers', () => {
  it('waits 250 ms doubling to 10 s, the same whatever the random source draws', () => {
    for (const draw of [0, 0.5, 1]) {
      const backoff = new Backoff(RESTART_BACKOFF, () => draw, new ManualClock());
      expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
      expect(backoff.attempts).toBe(8);
    }
  });

  it('starts over after a run longer than a minute on its clock, and not after a shorter one', () => {
    const clock = new ManualClock();
    const backoff = new Backoff(RESTART_BACKOFF, Math.random, clock);
    expect([backoff.next(), backoff.next()]).toEqual([250, 500]);

    backoff.started();
    clock.advance(RESTART_BACKOFF.resetAfterMs);
    backoff.stopped(); // exactly a minute is not longer than one
    expect(backoff.next()).toBe(1000);

    backoff.started();
    clock.advance(RESTART_BACKOFF.resetAfterMs + 1);
    backoff.stopped();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(250);
  });

  it('without resetAfterMs only reset() starts over', () => {
    const clock = new ManualClock();
    const backoff = new Backoff({ baseMs: 100, maxMs: 5000, floorRatio: 1 }, Math.random, clock);
    backoff.next();
    backoff.started();
    clock.advance(3_600_000);
    backoff.stopped();
    expect(backoff.next()).toBe(200);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
