import type { Clock } from '../../shared/clock.ts'

/** How long a wait may take, on which clock. */
export interface Deadline {
  readonly clock: Clock
  readonly ms: number
}

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded'
}

/**
 * `work`, or DeadlineExceeded once `ms` have passed on `clock`. A Postgres that stops answering (frozen, or its
 * host gone) leaves a query pending until TCP gives up, minutes later; the caller gets its answer in bounded time
 * instead, while the query itself finishes (or fails) whenever it does.
 */
export function withDeadline<T>({ clock, ms }: Deadline, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new DeadlineExceeded(`no answer within ${ms} ms`)), ms)
    work.then(
      (value) => {
        clock.clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clock.clearTimeout(timer)
        reject(error)
      },
    )
  })
}
