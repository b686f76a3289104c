import { useEffect, useRef, useState } from 'react';
import type { HealthSnapshot } from '../../app/plater.ts';

export interface Sample {
  at: number;
  p50: number;
  p95: number;
  p99: number;
  messagesPerSecond: number;
}

/** One sample of the client's health per interval, the last `size` kept, for the charts. */
export function useHealthHistory(health: HealthSnapshot, intervalMs = 1000, size = 300): Sample[] {
  const latest = useRef(health);
  latest.current = health;
  const [samples, setSamples] = useState<Sample[]>([]);
  useEffect(() => {
    const timer = setInterval(() => {
      const { latencyMs, messagesPerSecond } = latest.current;
      setSamples((all) => [...all.slice(-(size - 1)), { at: Date.now(), ...latencyMs, messagesPerSecond }]);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, size]);
  return samples;
}
