import { useMemo, useState } from 'react'
import { type KdsTicket, type KdsTicketItem, useMutation, useScopeState } from '../../app/live.ts'
import { useAction } from '../../ui/actions.ts'
import { useArrivals, useTicketSound } from '../../ui/arrivals.ts'
import { orderNumber } from '../../ui/order.ts'
import { StatusPill } from '../../ui/StatusPill.tsx'
import { useNow } from '../../ui/time.ts'
import { ageLevel, useAgeThresholds } from './thresholds.ts'
import { type TicketActions, TicketCard } from './TicketCard.tsx'

const RECENTLY_BUMPED = 6

/**
 * A station's kitchen display: open tickets oldest first (rush first of all; held courses last), age colours,
 * per-item moves, bump, the all-day count, and the last bumped tickets for a recall. A ticket that arrives
 * while the screen is open flashes (and chimes, where this device has the sound on).
 */
export function KdsScreen({ station }: { station: { id: string; slug: string; name: string } }) {
  const { view, status } = useScopeState({ scope: 'kds', stationId: station.id })
  const { startItem, finishItem, recallItem, bumpTicket } = useMutation()
  const act = useAction()
  const now = useNow()
  const [thresholds, setThresholds] = useAgeThresholds(station.id)
  const [sound, setSound] = useTicketSound()
  const [showSettings, setShowSettings] = useState(false)

  const actions: TicketActions = useMemo(
    () => ({
      start: (item: KdsTicketItem) => void act(`start ${item.name}`, () => startItem({ itemId: item.id })),
      finish: (item: KdsTicketItem) => void act(`finish ${item.name}`, () => finishItem({ itemId: item.id })),
      recall: (item: KdsTicketItem) => void act(`recall ${item.name}`, () => recallItem({ itemId: item.id })),
      bump: (ticket: KdsTicket) =>
        void act(
          `bump ${ticket.table ?? 'ticket'}`,
          () => bumpTicket({ orderId: ticket.orderId, stationId: station.id }),
        ),
    }),
    [act, startItem, finishItem, recallItem, bumpTicket, station.id],
  )

  // In the client's order: rush first, then oldest fired, fully held tickets last.
  const open = view.tickets.filter((ticket) => ticket.status !== 'ready')
  const arrived = useArrivals(open.map((ticket) => ticket.orderId), status === 'live', sound)
  const bumped = view.tickets
    .filter((ticket) => ticket.status === 'ready')
    .sort((a, b) => latestReady(b) - latestReady(a))
    .slice(0, RECENTLY_BUMPED)

  return (
    <section className='screen kds' aria-label={`${station.name} KDS`} data-station={station.slug}>
      <div className='screen-head'>
        <h1>{station.name}</h1>
        <span className='muted num' data-testid='open-count'>
          {open.length} open
        </span>
        <StatusPill status={status} />
        <button type='button' onClick={() => setShowSettings((shown) => !shown)} aria-expanded={showSettings}>
          Settings
        </button>
      </div>
      {showSettings && (
        <form
          className='settings panel'
          onSubmit={(event) => event.preventDefault()}
          aria-label='Ticket settings'
        >
          <label>
            Warning after (min)
            <input
              type='number'
              min={1}
              max={120}
              value={thresholds.warningMinutes}
              onChange={(e) => setThresholds({ ...thresholds, warningMinutes: Number(e.target.value) || 1 })}
            />
          </label>
          <label>
            Late after (min)
            <input
              type='number'
              min={1}
              max={240}
              value={thresholds.lateMinutes}
              onChange={(e) => setThresholds({ ...thresholds, lateMinutes: Number(e.target.value) || 1 })}
            />
          </label>
          <label className='check'>
            <input type='checkbox' checked={sound} onChange={(e) => setSound(e.target.checked)} />
            Sound on new tickets (this device)
          </label>
          <p className='muted'>
            Tickets turn amber and red at these ages. Keys on a ticket: Enter bumps, 1–9 moves an item, ←/→.
          </p>
        </form>
      )}
      <ul className='all-day' aria-label='All day'>
        <li className='all-day-label'>All day:</li>
        {view.allDay.map((line) => (
          <li key={line.name} className='chip num'>
            {line.qty} {line.name}
          </li>
        ))}
      </ul>
      {open.length === 0
        ? <p className='empty'>{status === 'live' ? 'No open tickets.' : 'Loading tickets…'}</p>
        : (
          <div className='tickets'>
            {open.map((ticket) => {
              const ageMs = ticket.firedAt === null ? 0 : now - ticket.firedAt
              return (
                <TicketCard
                  key={ticket.orderId}
                  ticket={ticket}
                  ageMs={ageMs}
                  level={ticket.firedAt === null ? 'fresh' : ageLevel(ageMs, thresholds)}
                  arrived={arrived.has(ticket.orderId)}
                  actions={actions}
                />
              )
            })}
          </div>
        )}
      <section className='bumped' aria-label='Recently bumped'>
        <h2>Bumped:</h2>
        {bumped.length === 0 && <span className='muted'>nothing yet</span>}
        {bumped.map((ticket) => (
          <button
            key={ticket.orderId}
            type='button'
            onClick={() => ticket.items.forEach(actions.recall)}
            data-order={ticket.orderId}
          >
            Recall {ticket.table} {orderNumber(ticket.orderId)}
          </button>
        ))}
      </section>
    </section>
  )
}

function latestReady(ticket: KdsTicket): number {
  return Math.max(0, ...ticket.items.map((item) => (item.ready_at ? Date.parse(item.ready_at) : 0)))
}
