// Preloaded into a gateway process (NODE_OPTIONS=--import=…/loop-probe.mjs, PLATER_LOOP_PROBE_FILE=path): every
// second it appends one JSON line — the event loop's delay over that second (perf_hooks.monitorEventLoopDelay at
// 5 ms resolution), the garbage-collection pauses that ended in it, and the main thread's CPU time and time
// spent runnable but waiting for a CPU (the kernel's /proc schedstat) — a loop delay with no CPU time behind it is
// the scheduler's, not the gateway's — so the capacity scenario can read a step's window from outside the process.
// Plain JavaScript: it loads before any TypeScript loader.
import { appendFileSync, readFileSync } from 'node:fs'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'

const file = process.env.PLATER_LOOP_PROBE_FILE
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  let gcCount = 0
  let gcMs = 0
  let gcMaxMs = 0
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount++
      gcMs += entry.duration
      gcMaxMs = Math.max(gcMaxMs, entry.duration)
    }
  }).observe({ entryTypes: ['gc'] })
  const ms = (ns) => Math.round(ns / 1e4) / 100
  // the event loop's thread: its id is the process id; fields are ns on a CPU, ns waiting for one, slices
  const schedstat = `/proc/self/task/${process.pid}/schedstat`
  const mainThread = () => {
    try {
      const [onCpu, waiting] = readFileSync(schedstat, 'utf8').split(' ').map(Number)
      return { onCpu, waiting }
    } catch {
      return null // not Linux, or a kernel without schedstats
    }
  }
  let last = mainThread()
  setInterval(() => {
    const line = {
      at: Date.now(),
      pid: process.pid,
      loopDelayMs: {
        p50: ms(delay.percentile(50)),
        p99: ms(delay.percentile(99)),
        max: ms(delay.max),
        mean: ms(delay.mean),
      },
      gc: { count: gcCount, totalMs: Math.round(gcMs * 100) / 100, maxMs: Math.round(gcMaxMs * 100) / 100 },
    }
    const now = mainThread()
    if (now && last) {
      line.mainThreadMs = { onCpu: ms(now.onCpu - last.onCpu), waitingForCpu: ms(now.waiting - last.waiting) }
    }
    last = now
    appendFileSync(file, `${JSON.stringify(line)}\n`)
    delay.reset()
    gcCount = 0
    gcMs = 0
    gcMaxMs = 0
  }, 1000).unref()
}
