import { useEffect, useRef, useState } from 'react'
import type { Health } from '../../app/live.ts'

export interface Sample {
  at: number
  p50: number
  p95: number
  p99: number
  messagesPerSecond: number
}

/** One sample of the client's health per interval, the last `size` kept, for the charts. */
export function useHealthHistory(health: Health, intervalMs = 1000, size = 300): Sample[] {
  const latest = useRef(health)
  latest.current = health
  const [samples, setSamples] = useState<Sample[]>([])
  useEffect(() => {
    const timer = setInterval(() => {
      const { latencyMs, messagesPerSecond } = latest.current
      const sample = {
        at: Date.now(),
        p50: latencyMs.p50 ?? 0,
        p95: latencyMs.p95 ?? 0,
        p99: latencyMs.p99 ?? 0,
        messagesPerSecond,
      }
      setSamples((all) => [...all.slice(-(size - 1)), sample])
    }, intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs, size])
  return samples
}
