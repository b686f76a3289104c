import { useCallback, useState } from 'react'
import { type GatewayMetrics, totalDrops } from '../../app/gateway.ts'
import type { Health } from '../../app/types.ts'

/** Limits a manager sets; crossing one raises an alert on the monitor. Kept on this device. */
export interface AlertThresholds {
  p95LatencyMs: number
  pendingMutations: number
  ingestLagMs: number
  rollbacks: number
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  p95LatencyMs: 250,
  pendingMutations: 5,
  ingestLagMs: 1000,
  rollbacks: 0,
}

export function alertsFor(
  health: Health,
  gateway: GatewayMetrics | null,
  limits: AlertThresholds,
  consoles: readonly { display_name: string; status: string; report: { screen: string } }[],
): string[] {
  const alerts: string[] = []
  if (health.status !== 'live') alerts.push(`Realtime is ${health.status}`)
  // another console that is not live may be missing tickets: its screen says so, and so does the manager's
  for (const other of consoles) {
    if (other.status !== 'live') {
      alerts.push(`${other.display_name}'s console (${other.report.screen}) is ${other.status}`)
    }
  }
  const p95 = health.latencyMs.p95
  if (p95 !== null && p95 > limits.p95LatencyMs) {
    alerts.push(`Delivery p95 ${Math.round(p95)} ms > ${limits.p95LatencyMs} ms`)
  }
  if (health.pendingMutations > limits.pendingMutations) {
    alerts.push(`${health.pendingMutations} actions waiting for the server (> ${limits.pendingMutations})`)
  }
  if (health.rollbacks > limits.rollbacks) {
    alerts.push(`${health.rollbacks} actions rolled back (> ${limits.rollbacks})`)
  }
  if (gateway) {
    if (!gateway.ingest.connected) alerts.push('Gateway has lost the database replication stream')
    if ((gateway.ingest.lagMs ?? 0) > limits.ingestLagMs) {
      alerts.push(`Gateway ingest lag ${gateway.ingest.lagMs} ms > ${limits.ingestLagMs} ms`)
    }
    if (totalDrops(gateway) > 0) alerts.push(`Gateway dropped ${totalDrops(gateway)} messages or sockets`)
  }
  return alerts
}

const KEY = 'plater-console:alert-thresholds'

export function useAlertThresholds(): [AlertThresholds, (next: AlertThresholds) => void] {
  const [limits, setLimits] = useState<AlertThresholds>(() => {
    try {
      return {
        ...DEFAULT_ALERT_THRESHOLDS,
        ...(JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<AlertThresholds> | null),
      }
    } catch {
      return DEFAULT_ALERT_THRESHOLDS
    }
  })
  const save = useCallback((next: AlertThresholds) => {
    localStorage.setItem(KEY, JSON.stringify(next))
    setLimits(next)
  }, [])
  return [limits, save]
}
