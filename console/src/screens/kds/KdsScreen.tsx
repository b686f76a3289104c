import { useMemo, useState } from 'react';
import type { KdsItem, Ticket } from '../../app/plater.ts';
import { useMutations, useScope } from '../../app/live.ts';
import { useAction } from '../../ui/actions.ts';
import { StatusPill } from '../../ui/StatusPill.tsx';
import { useNow } from '../../ui/time.ts';
import { ageLevel, useAgeThresholds } from './thresholds.ts';
import { type TicketActions, TicketCard } from './TicketCard.tsx';

const ON_THE_LINE = new Set(['held', 'pending', 'preparing']);
const RECENTLY_BUMPED = 6;

/** When the kitchen got the ticket: its earliest fired item (held courses have not been fired yet). */
function firedAt(ticket: Ticket, now: number): number {
  const times = ticket.items.flatMap((item) => (item.firedAt ? [Date.parse(item.firedAt)] : []));
  return times.length > 0 ? Math.min(...times) : now - ticket.ageMs;
}

/**
 * A station's kitchen display: open tickets oldest first (rush first of all), age colours, per-item moves,
 * bump, the all-day count, and the last bumped tickets for a recall.
 */
export function KdsScreen({ station }: { station: { id: string; slug: string; name: string } }) {
  const { view, status } = useScope({ scope: 'kds', stationId: station.id });
  const mutations = useMutations();
  const act = useAction();
  const now = useNow();
  const [thresholds, setThresholds] = useAgeThresholds(station.id);
  const [showSettings, setShowSettings] = useState(false);

  const actions: TicketActions = useMemo(
    () => ({
      start: (item: KdsItem) => void act(`start ${item.name}`, () => mutations.startItem({ itemId: item.id })),
      finish: (item: KdsItem) => void act(`finish ${item.name}`, () => mutations.finishItem({ itemId: item.id })),
      recall: (item: KdsItem) => void act(`recall ${item.name}`, () => mutations.recallItem({ itemId: item.id })),
      bump: (ticket: Ticket) =>
        void act(`bump ${ticket.table}`, () => mutations.bumpTicket({ orderId: ticket.orderId, stationId: station.id })),
    }),
    [act, mutations, station.id],
  );

  const tickets = view?.tickets ?? [];
  const open = tickets
    .filter((ticket) => ticket.items.some((item) => ON_THE_LINE.has(item.status)))
    .map((ticket) => ({ ticket, since: firedAt(ticket, now) }))
    .sort((a, b) => Number(b.ticket.rush) - Number(a.ticket.rush) || a.since - b.since);
  const bumped = tickets
    .filter((ticket) => ticket.items.every((item) => !ON_THE_LINE.has(item.status)) && ticket.items.some((item) => item.status === 'ready'))
    .slice(-RECENTLY_BUMPED)
    .reverse();

  return (
    <section className="screen kds" aria-label={`${station.name} KDS`} data-station={station.slug}>
      <div className="screen-head">
        <h1>{station.name}</h1>
        <span className="muted num" data-testid="open-count">
          {open.length} open
        </span>
        <StatusPill status={status} />
        <button type="button" onClick={() => setShowSettings((shown) => !shown)} aria-expanded={showSettings}>
          Timers
        </button>
      </div>
      {showSettings && (
        <form className="settings panel" onSubmit={(event) => event.preventDefault()} aria-label="Ticket timers">
          <label>
            Warning after (min)
            <input
              type="number"
              min={1}
              max={120}
              value={thresholds.warningMinutes}
              onChange={(e) => setThresholds({ ...thresholds, warningMinutes: Number(e.target.value) || 1 })}
            />
          </label>
          <label>
            Late after (min)
            <input
              type="number"
              min={1}
              max={240}
              value={thresholds.lateMinutes}
              onChange={(e) => setThresholds({ ...thresholds, lateMinutes: Number(e.target.value) || 1 })}
            />
          </label>
          <p className="muted">Tickets turn amber and red at these ages. Keys on a ticket: Enter bumps, 1–9 moves an item, ←/→.</p>
        </form>
      )}
      <div className="all-day" aria-label="All day">
        <strong>All day:</strong>
        {(view?.allDay ?? []).map((line) => (
          <span key={line.name} className="chip num">
            {line.qty} {line.name}
          </span>
        ))}
      </div>
      {open.length === 0 ? (
        <p className="empty">{status === 'live' ? 'No open tickets.' : 'Loading tickets…'}</p>
      ) : (
        <div className="tickets">
          {open.map(({ ticket, since }) => (
            <TicketCard
              key={ticket.orderId}
              ticket={ticket}
              ageMs={now - since}
              level={ageLevel(now - since, thresholds)}
              actions={actions}
            />
          ))}
        </div>
      )}
      <div className="bumped" aria-label="Recently bumped">
        <strong>Bumped:</strong>
        {bumped.length === 0 && <span className="muted">nothing yet</span>}
        {bumped.map((ticket) => (
          <button
            key={ticket.orderId}
            type="button"
            onClick={() => ticket.items.filter((item) => item.status === 'ready').forEach(actions.recall)}
          >
            Recall {ticket.table}
          </button>
        ))}
      </div>
    </section>
  );
}
