import type { Clock } from '../../../stack/gateway/clock.ts';

/**
 * A clock that moves only when the test says so, starting at the wall clock's next whole second (so token
 * times in whole seconds line up with it); `advance` runs the timers that fall due, each at its due time.
 */
export class ManualClock implements Clock {
  #now = Math.ceil(Date.now() / 1000) * 1000;
  #timers: { at: number; fn: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.#now + ms, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = until;
  }
}
