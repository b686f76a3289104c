import type { ReactNode } from 'react'
import { parseTopic } from '../../../../contract/topics.ts'
import { useFunctions } from '../../app/functions.ts'
import { totalDrops, useGatewayMetrics } from '../../app/gateway.ts'
import { useCrew, useRealtimeHealth, useScopeState, useSession } from '../../app/live.ts'
import { StatusPill } from '../../ui/StatusPill.tsx'
import { useNow } from '../../ui/time.ts'
import { alertsFor, type AlertThresholds, useAlertThresholds } from './alerts.ts'
import { Chart } from './Chart.tsx'
import { type ConsoleRoster, useVerifiedConsoles } from './consoles.ts'
import { useHealthHistory } from './history.ts'

function Tile(
  { label, value, alert = false, name }: { label: string; value: string; alert?: boolean; name: string },
) {
  return (
    <div className='tile' data-alert={alert} data-metric={name}>
      <div className='value'>{value}</div>
      <div className='label'>{label}</div>
    </div>
  )
}

/** A table of figures that scrolls sideways inside its panel rather than widen the page. */
function DataTable({ head, children }: { head: string[]; children: ReactNode }) {
  return (
    <div className='table-scroll'>
      <table className='data'>
        <thead>
          <tr>
            {head.map((label) => <th key={label}>{label}</th>)}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

const ms = (
  value: number | null,
) => (value === null ? '–' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`)

/** `kds:<restaurant>:<station>` → `kds · <station…>`: the kind, and whose (a name it cannot parse, as it is). */
function topicLabel(topic: string, stations: Map<string, string>): string {
  const parts = parseTopic(topic)
  if (!parts) return topic
  const owner = parts.kind === 'kds' ? parts.station : parts.kind === 'server' ? parts.staff : null
  return owner ? `${parts.kind} · ${stations.get(owner) ?? owner.slice(0, 8)}` : parts.kind
}

/** The manager's view of realtime health: this console's client, the gateway, alerts over set limits. */
export function MonitorScreen() {
  // The restaurant's whole feed: the figures below then measure every change, not only what a screen shows.
  const feed = useScopeState({ scope: 'admin' })
  const session = useSession()
  const stations = new Map(session.stations.map((station) => [station.id, station.name]))
  const health = useRealtimeHealth()
  const { metrics: gateway, unavailable } = useGatewayMetrics()
  const samples = useHealthHistory(health)
  const [limits, setLimits] = useAlertThresholds()
  const crew = useCrew()
  const call = useFunctions()
  const now = useNow(1000)
  const roster = useVerifiedConsoles(crew.view.members, call, now)
  const alerts = alertsFor(health, gateway, limits, roster.consoles)

  return (
    <section className='screen monitor' aria-label='Health monitor'>
      <div className='screen-head'>
        <h1>Realtime health</h1>
        <StatusPill status={health.status} />
      </div>

      <section aria-label='Alerts' className='panel'>
        <h2>Alerts</h2>
        <ul className='alerts' data-testid='alerts'>
          {alerts.length === 0
            ? <li style={{ borderColor: 'var(--ok)', background: 'transparent' }}>All within limits.</li>
            : alerts.map((alert) => <li key={alert}>{alert}</li>)}
        </ul>
      </section>

      <h2>This console</h2>
      <div className='tiles'>
        <Tile name='p50' label='delivery p50' value={ms(health.latencyMs.p50)} />
        <Tile
          name='p95'
          label='delivery p95'
          value={ms(health.latencyMs.p95)}
          alert={(health.latencyMs.p95 ?? 0) > limits.p95LatencyMs}
        />
        <Tile name='p99' label='delivery p99' value={ms(health.latencyMs.p99)} />
        <Tile name='messages-per-second' label='messages / s' value={health.messagesPerSecond.toFixed(1)} />
        <Tile name='reconnects' label='reconnects' value={String(health.reconnects)} />
        <Tile name='gaps-healed' label='gaps healed' value={String(health.gapsHealed)} />
        <Tile
          name='cache-hit-rate'
          label='cache hit rate'
          value={health.cacheHitRate === null ? '–' : `${Math.round(health.cacheHitRate * 100)} %`}
        />
        <Tile
          name='pending'
          label='pending actions'
          value={String(health.pendingMutations)}
          alert={health.pendingMutations > limits.pendingMutations}
        />
        <Tile
          name='rollbacks'
          label='rolled back'
          value={String(health.rollbacks)}
          alert={health.rollbacks > limits.rollbacks}
        />
        <Tile name='duplicates' label='duplicates dropped' value={String(health.duplicatesDropped)} />
        <Tile name='live-orders' label='orders in service' value={String(feed.view.orders.length)} />
      </div>

      <Chart
        title='Delivery latency (database commit → screen)'
        unit='ms'
        samples={samples}
        series={[
          { key: 'p50', label: 'p50', color: '#39d98a' },
          { key: 'p95', label: 'p95', color: '#ffc53d' },
          { key: 'p99', label: 'p99', color: '#ff5a5a' },
        ]}
      />
      <Chart
        title='Messages per second'
        unit='msg/s'
        samples={samples}
        series={[{ key: 'messagesPerSecond', label: 'msg/s', color: '#4cc2ff' }]}
      />

      {/* the client library drops presence that fails its own schema before the roster sees it (health.crewRejected) */}
      <ConnectedConsoles roster={{ ...roster, ignored: roster.ignored + health.crewRejected }} />

      <section className='panel' aria-label='Subscriptions'>
        <h2>Subscriptions</h2>
        <DataTable head={['topic', 'status', 'seq']}>
          {health.scopes.map((scope) => (
            <tr key={scope.topic}>
              <td>{topicLabel(scope.topic, stations)}</td>
              <td>{scope.status}</td>
              <td className='num'>{scope.seq}</td>
            </tr>
          ))}
        </DataTable>
      </section>

      <h2>Gateway {unavailable && <span className='muted'>(metrics unavailable)</span>}</h2>
      <div className='tiles'>
        <Tile name='sockets' label='sockets' value={gateway ? String(gateway.sockets) : '–'} />
        <Tile name='channels' label='channels' value={gateway ? String(gateway.channels) : '–'} />
        <Tile name='topics' label='topics' value={gateway ? String(gateway.topics) : '–'} />
        <Tile name='messages-out' label='messages out' value={gateway ? String(gateway.messages.out) : '–'} />
        <Tile
          name='drops'
          label='drops'
          value={gateway ? String(totalDrops(gateway)) : '–'}
          alert={!!gateway && totalDrops(gateway) > 0}
        />
        <Tile
          name='ingest-lag'
          label='ingest lag'
          value={gateway?.ingest.lagMs != null ? ms(gateway.ingest.lagMs) : '–'}
          alert={(gateway?.ingest.lagMs ?? 0) > limits.ingestLagMs}
        />
      </div>

      <AlertSettings limits={limits} onChange={setLimits} />
    </section>
  )
}

/**
 * Every open console of the restaurant, as it reports itself in presence (app/presence.ts): only reports the
 * server verified, named by the staff row of the user they were signed for (screens/monitor/consoles.ts).
 */
function ConnectedConsoles({ roster: { consoles, ignored } }: { roster: ConsoleRoster }) {
  return (
    <section className='panel' aria-label='Connected consoles'>
      <h2>Connected consoles</h2>
      <DataTable
        head={['who', 'screen', 'status', 'last report', 'p95', 'pending', 'rolled back', 'reconnects']}
      >
        {consoles.map((client) => (
          <tr key={client.sig} data-status={client.status} data-user={client.user_id}>
            <td>
              {client.display_name} <span className='muted'>· {client.role}</span>
            </td>
            <td>{client.report.screen}</td>
            <td>{client.status}</td>
            <td className='num'>{Math.round(client.ageMs / 1000)} s ago</td>
            <td className='num'>{ms(client.report.p95)}</td>
            <td className='num'>{client.report.pending}</td>
            <td className='num'>{client.report.rollbacks}</td>
            <td className='num'>{client.report.reconnects}</td>
          </tr>
        ))}
      </DataTable>
      <p className='muted' data-testid='ignored-presence' data-count={ignored}>
        {ignored === 0
          ? 'Every presence entry is a verified console.'
          : `${ignored} presence ${
            ignored === 1 ? 'entry' : 'entries'
          } not shown (not verified, not staff, or gone)`}
      </p>
    </section>
  )
}

function AlertSettings(
  { limits, onChange }: { limits: AlertThresholds; onChange: (next: AlertThresholds) => void },
) {
  const field = (key: keyof AlertThresholds, label: string) => (
    <label>
      {label}
      <input
        type='number'
        min={0}
        value={limits[key]}
        onChange={(e) => onChange({ ...limits, [key]: Math.max(0, Number(e.target.value) || 0) })}
      />
    </label>
  )
  return (
    <form
      className='settings panel'
      aria-label='Alert limits'
      onSubmit={(event) => event.preventDefault()}
    >
      {field('p95LatencyMs', 'p95 latency (ms)')}
      {field('pendingMutations', 'pending actions')}
      {field('rollbacks', 'rollbacks')}
      {field('ingestLagMs', 'ingest lag (ms)')}
    </form>
  )
}
