/**
 * Exact latency statistics from raw samples (ms). Nothing is clamped: a value at or below zero (a clock that runs
 * behind, an early send) stays in the figures and is counted apart, so skew shows instead of hiding.
 */
export interface LatencySummary {
  readonly samples: number
  readonly min: number | null
  readonly p50: number | null
  readonly p95: number | null
  readonly p99: number | null
  readonly p999: number | null
  readonly max: number | null
  readonly mean: number | null
  /** Samples ≤ 0 ms: the source's clock ahead of the receiver's, or a message sent before it was due. */
  readonly atOrBelowZero: number
}

const round = (value: number) => Math.round(value * 1000) / 1000

/** Sorts `values` in place. */
export function summarize(values: Float64Array): LatencySummary {
  values.sort()
  const n = values.length
  const at = (
    percentile: number,
  ) => (n === 0 ? null : round(values[Math.min(n - 1, Math.ceil((percentile / 100) * n) - 1)]!))
  let sum = 0
  let belowZero = 0
  for (const v of values) {
    sum += v
    if (v <= 0) belowZero++
  }
  return {
    samples: n,
    min: n === 0 ? null : round(values[0]!),
    p50: at(50),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: n === 0 ? null : round(values[n - 1]!),
    mean: n === 0 ? null : round(sum / n),
    atOrBelowZero: belowZero,
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** p50/p95/p99 per second of a run, from (second index, latency) pairs. */
export function percentilesBySecond(
  seconds: Float64Array,
  values: Float64Array,
): { second: number; p50: number | null; p95: number | null; p99: number | null }[] {
  const buckets = new Map<number, number[]>()
  for (let i = 0; i < seconds.length; i++) {
    const key = seconds[i]!
    let bucket = buckets.get(key)
    if (!bucket) buckets.set(key, bucket = [])
    bucket.push(values[i]!)
  }
  return [...buckets.keys()]
    .sort((a, b) => a - b)
    .map((second) => {
      const s = summarize(Float64Array.from(buckets.get(second)!))
      return { second, p50: s.p50, p95: s.p95, p99: s.p99 }
    })
}

/** Latencies are recorded in microseconds, up to two minutes, at three significant digits. */
export const HISTOGRAM = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000_000,
  numberOfSignificantValueDigits: 3,
} as const
