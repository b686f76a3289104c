/**
 * The progress line of a benchmark run: on a terminal one line rewritten in place (`[scenario 01:23] what now`),
 * elsewhere (CI, a log file) the same text as a new line at most every 10 s, so an unattended run's log stays short.
 */
export class Progress {
  readonly #tty = Boolean(process.stderr.isTTY)
  readonly #started = performance.now()
  #scenario = ''
  #scenarioStarted = performance.now()
  #lastPrinted = 0
  #lastText = ''
  #onLine = false

  scenario(name: string): void {
    this.#scenario = name
    this.#scenarioStarted = performance.now()
    this.note(`── ${name}`)
  }

  /** The current state; frequent calls are fine. */
  update(text: string): void {
    const line = `[${this.#scenario} ${clock(performance.now() - this.#scenarioStarted)} | total ${
      clock(performance.now() - this.#started)
    }] ${text}`
    if (this.#tty) {
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`)
      this.#onLine = true
      return
    }
    const now = performance.now()
    if (text === this.#lastText || now - this.#lastPrinted < 10_000) return
    this.#lastPrinted = now
    this.#lastText = text
    process.stderr.write(`${line}\n`)
  }

  /** A line that stays (a phase finished, a figure worth seeing now). */
  note(text: string): void {
    if (this.#onLine) process.stderr.write('\r\x1b[2K')
    this.#onLine = false
    process.stderr.write(`${text}\n`)
  }
}

function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`
}
