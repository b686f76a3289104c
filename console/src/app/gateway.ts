import { useEffect, useState } from 'react'

/** The local gateway's `/realtime/v1/metrics` (stack/gateway/index.ts, GatewaySnapshot): the fields shown here. */
export interface GatewayMetrics {
  sockets: number
  channels: number
  topics: number
  messages: { in: number; out: number }
  drops: Record<string, number>
  ingest: { connected: boolean; lagMs: number | null; messages: number; reconnects: number }
  process: { rssBytes: number }
}

/**
 * Polls the gateway's metrics. Hosted Supabase has no such endpoint; then this stays `unavailable` and the
 * monitor shows the client-side figures only.
 */
export function useGatewayMetrics(
  intervalMs = 2000,
): { metrics: GatewayMetrics | null; unavailable: boolean } {
  const [state, setState] = useState<{ metrics: GatewayMetrics | null; unavailable: boolean }>({
    metrics: null,
    unavailable: false,
  })
  useEffect(() => {
    let live = true
    async function poll() {
      try {
        const response = await fetch('/realtime/v1/metrics', { cache: 'no-store' })
        if (!response.ok) throw new Error(String(response.status))
        const metrics = (await response.json()) as GatewayMetrics
        if (live) setState({ metrics, unavailable: false })
      } catch {
        if (live) setState((previous) => ({ metrics: previous.metrics, unavailable: true }))
      }
    }
    void poll()
    const timer = setInterval(() => void poll(), intervalMs)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [intervalMs])
  return state
}

export function totalDrops(metrics: GatewayMetrics): number {
  return Object.values(metrics.drops).reduce((sum, value) => sum + (typeof value === 'number' ? value : 0), 0)
}
