/**
 * Runs a channel's handlers one at a time, in arrival order, like the Elixir channel process Realtime
 * runs per join: a broadcast sent right after `phx_join`, or a second `access_token` while the first is
 * still being checked against Postgres, waits for the earlier handler instead of racing it.
 * Synchronous handlers run immediately when nothing is pending, so the common path adds no latency.
 */
export class Mailbox {
  readonly #queue: (() => unknown)[] = []
  #running = false
  readonly #onError: (error: unknown) => void

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError
  }

  post(task: () => unknown): void {
    this.#queue.push(task)
    if (!this.#running) void this.#drain()
  }

  async #drain(): Promise<void> {
    this.#running = true
    for (let task = this.#queue.shift(); task; task = this.#queue.shift()) {
      try {
        const result = task()
        if (result instanceof Promise) await result
      } catch (error) {
        this.#onError(error)
      }
    }
    this.#running = false
  }
}
