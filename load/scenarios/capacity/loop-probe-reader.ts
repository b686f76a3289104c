import { existsSync, readFileSync } from 'node:fs'

/** A window of loop-probe.mjs's per-second lines: the worst second's delay percentiles, and GC pauses summed. */
export interface LoopWindow {
  readonly seconds: number
  readonly loopDelayMs: { p50Median: number; p99Max: number; max: number }
  readonly gc: { count: number; totalMs: number; maxMs: number }
}

interface ProbeLine {
  readonly at: number
  readonly loopDelayMs: { p50: number; p99: number; max: number; mean: number }
  readonly gc: { count: number; totalMs: number; maxMs: number }
}

export function readLoopProbe(file: string, from: number, to: number): LoopWindow | null {
  if (!existsSync(file)) return null
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeLine)
    .filter((l) => l.at > from && l.at <= to)
  if (lines.length === 0) return null
  const p50s = lines.map((l) => l.loopDelayMs.p50).sort((a, b) => a - b)
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
  }
}
