import { existsSync, readFileSync } from 'node:fs'

/** A window of loop-probe.mjs's per-second lines: the worst second's delay percentiles, and GC pauses summed. */
export interface LoopWindow {
  readonly seconds: number
  readonly loopDelayMs: { p50Median: number; p99Max: number; max: number }
  readonly gc: { count: number; totalMs: number; maxMs: number }
  /**
   * The event loop's thread, per second of the window: time on a CPU, and time runnable but waiting for one (the
   * machine's other processes had the cores). Null where the kernel keeps no schedstats.
   */
  readonly mainThreadMsPerSecond: {
    onCpu: { mean: number; max: number }
    waitingForCpu: { mean: number; max: number }
  } | null
}

interface ProbeLine {
  readonly at: number
  readonly loopDelayMs: { p50: number; p99: number; max: number; mean: number }
  readonly gc: { count: number; totalMs: number; maxMs: number }
  readonly mainThreadMs?: { onCpu: number; waitingForCpu: number }
}

function meanAndMax(values: number[]): { mean: number; max: number } {
  return {
    mean: Math.round(values.reduce((s, v) => s + v, 0) / values.length * 10) / 10,
    max: Math.max(...values),
  }
}

export function readLoopProbe(file: string, from: number, to: number): LoopWindow | null {
  if (!existsSync(file)) return null
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeLine)
    .filter((l) => l.at > from && l.at <= to)
  if (lines.length === 0) return null
  const p50s = lines.map((l) => l.loopDelayMs.p50).sort((a, b) => a - b)
  const threads = lines.flatMap((l) => (l.mainThreadMs ? [l.mainThreadMs] : []))
  return {
    seconds: lines.length,
    loopDelayMs: {
      p50Median: p50s[Math.floor(p50s.length / 2)]!,
      p99Max: Math.max(...lines.map((l) => l.loopDelayMs.p99)),
      max: Math.max(...lines.map((l) => l.loopDelayMs.max)),
    },
    gc: {
      count: lines.reduce((s, l) => s + l.gc.count, 0),
      totalMs: Math.round(lines.reduce((s, l) => s + l.gc.totalMs, 0) * 10) / 10,
      maxMs: Math.max(...lines.map((l) => l.gc.maxMs)),
    },
    mainThreadMsPerSecond: threads.length === 0 ? null : {
      onCpu: meanAndMax(threads.map((t) => t.onCpu)),
      waitingForCpu: meanAndMax(threads.map((t) => t.waitingForCpu)),
    },
  }
}
