import { setTimeout as sleep } from 'node:timers/promises'

export interface OpenLoopOutcome {
  readonly sent: number
  readonly failed: number
  /** How far behind its due time the latest-started message went out (ms): the generator's own lag. */
  readonly behindMs: number
}

/**
 * Open-loop arrivals: message i (seq i + 1) is due at `startAt + i / rate` (epoch ms) and goes out then, whether
 * or not earlier ones have been answered, so a slow server cannot slow the load down (no coordinated omission).
 * Messages due within 1 ms go out at once, possibly a little early: receivers measure from `due`, not from the
 * moment of sending, so neither an early nor a late send flatters a figure.
 */
export async function openLoop(
  rate: number,
  count: number,
  startAt: number,
  send: (seq: number, due: number) => Promise<unknown> | undefined,
): Promise<OpenLoopOutcome> {
  const pending: Promise<unknown>[] = []
  let failed = 0
  let behindMs = 0
  for (let i = 0; i < count; i++) {
    const due = startAt + (i * 1000) / rate
    const wait = due - (performance.timeOrigin + performance.now())
    if (wait > 1) await sleep(wait)
    else behindMs = Math.max(behindMs, -wait)
    const result = send(i + 1, due)
    if (result) pending.push(result.catch(() => failed++))
  }
  await Promise.all(pending)
  return { sent: count - failed, failed, behindMs: Math.round(behindMs) }
}
