import type { RestartPolicy } from '../shared/backoff.ts'

/**
 * When to start a supervised process again after it died (stack/postgres/supervisor.ts, stack/api/supervisor.ts, the
 * functions workers): 250 ms doubling to 10 s between attempts, without jitter (one supervisor restarting its own
 * child has nobody to spread out from); a process that stayed up for a minute starts the count again. After 8
 * failed starts in a row a supervisor gives up (a part that cannot start needs a person); a worker keeps trying.
 */
export const RESTART_BACKOFF = {
  baseMs: 250,
  maxMs: 10_000,
  floorRatio: 1,
  resetAfterMs: 60_000,
  maxFailedStarts: 8,
} as const satisfies RestartPolicy & { maxFailedStarts: number }
