import { useRealtimeHealth } from '../app/live.ts'
import { StatusPill } from './StatusPill.tsx'

/**
 * The client's connection and unconfirmed actions, on every screen: when the kitchen's network is down the
 * screen still shows the last known state, and the cook must be able to tell.
 */
export function ConnectionBadge() {
  const health = useRealtimeHealth()
  return (
    <span className='connection' data-testid='connection'>
      <StatusPill status={health.status} />
      <span className='pending-label num'>
        {health.pendingMutations > 0 ? `${health.pendingMutations} sending…` : ''}
      </span>
    </span>
  )
}
