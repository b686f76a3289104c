import { describe, expect, it } from 'vitest'
import type { Health } from '../../../client/src/index.ts'
import { alertsFor, DEFAULT_ALERT_THRESHOLDS } from '../../../console/src/screens/monitor/alerts.ts'

const health = {
  status: 'live',
  latencyMs: { p50: 1, p95: 2, p99: 3 },
  messagesPerSecond: 0,
  reconnects: 0,
  gapsHealed: 0,
  cacheHitRate: null,
  duplicatesDropped: 0,
  rollbacks: 0,
  pendingMutations: 0,
  scopes: [],
} as unknown as Health

describe("the monitor's alerts", () => {
  it('name every other console that is not live (offline, catching up, or silent), and none that is', () => {
    const consoles = [
      { display_name: 'Gus (grill)', status: 'silent', report: { screen: '/kds/grill' } },
      { display_name: 'Fay (fry)', status: 'offline', report: { screen: '/kds/fry' } },
      { display_name: 'Eli (expo)', status: 'live', report: { screen: '/expo' } },
    ]
    expect(alertsFor(health, null, DEFAULT_ALERT_THRESHOLDS, consoles)).toEqual([
      "Gus (grill)'s console (/kds/grill) is silent",
      "Fay (fry)'s console (/kds/fry) is offline",
    ])
    expect(alertsFor(health, null, DEFAULT_ALERT_THRESHOLDS, [])).toEqual([])
  })
})
