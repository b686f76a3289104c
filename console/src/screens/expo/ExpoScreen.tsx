import type { ExpoItem, ExpoOrder } from '../../app/plater.ts';
import { useMutations, useScope, useSession } from '../../app/live.ts';
import { useAction } from '../../ui/actions.ts';
import { StatusPill } from '../../ui/StatusPill.tsx';
import { formatAge, useNow } from '../../ui/time.ts';
import { useRush } from './rush.ts';

const LIVE_ORDER = new Set(['open', 'ready']);
const COOKING = new Set(['pending', 'preparing']);

/** Per course: fire when anything is held, hold when nothing has been started yet. */
function courseMoves(items: ExpoItem[]): { fire: boolean; hold: boolean } {
  return {
    fire: items.some((item) => item.status === 'held'),
    hold: items.some((item) => item.status === 'pending') && !items.some((item) => item.status === 'preparing' || item.status === 'ready'),
  };
}

function byCourse(items: ExpoItem[]): [number, ExpoItem[]][] {
  const courses = new Map<number, ExpoItem[]>();
  for (const item of items) {
    if (item.status === 'void') continue;
    courses.set(item.course, [...(courses.get(item.course) ?? []), item]);
  }
  return [...courses].sort(([a], [b]) => a - b);
}

/** Expo: every live order, rush first then oldest, with each station's progress, courses, serve and rush. */
export function ExpoScreen() {
  const { view, status } = useScope({ scope: 'expo' });
  const session = useSession();
  const now = useNow();
  const orders = (view?.orders ?? [])
    .filter((order) => LIVE_ORDER.has(order.status))
    .sort((a, b) => Number(b.rush) - Number(a.rush) || Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const stationName = new Map(session.stations.map((station) => [station.id, station.name]));

  return (
    <section className="screen expo" aria-label="Expo">
      <div className="screen-head">
        <h1>Expo</h1>
        <span className="muted num">{orders.length} open orders</span>
        <span className="muted num">{orders.filter((order) => order.status === 'ready').length} ready</span>
        <StatusPill status={status} />
      </div>
      {orders.length === 0 ? (
        <p className="empty">{status === 'live' ? 'No open orders.' : 'Loading orders…'}</p>
      ) : (
        <div className="orders">
          {orders.map((order) => (
            <ExpoOrderCard key={order.id} order={order} ageMs={now - Date.parse(order.createdAt)} stationName={stationName} />
          ))}
        </div>
      )}
    </section>
  );
}

function ExpoOrderCard({ order, ageMs, stationName }: { order: ExpoOrder; ageMs: number; stationName: Map<string, string> }) {
  const mutations = useMutations();
  const act = useAction();
  const toggleRush = useRush();
  const live = order.items.filter((item) => item.status !== 'void');
  const stations = Map.groupBy(live, (item) => item.stationId);

  return (
    <article className="order" data-status={order.status} data-rush={order.rush} data-order={order.id} data-pending={order.pending} tabIndex={-1}>
      <header className="order-head">
        <span className="table">{order.table}</span>
        {order.rush && <span className="rush-badge">RUSH</span>}
        <span className="muted num">{formatAge(ageMs)}</span>
        <span className="order-status">{order.pending ? 'sending…' : order.status}</span>
      </header>
      {order.note && <p className="note">“{order.note}”</p>}
      <div className="progress" aria-label="Stations">
        {[...stations].map(([stationId, items]) => {
          const done = items.filter((item) => item.status === 'ready' || item.status === 'served').length;
          return (
            <div key={stationId} className="progress-row" data-station={stationId}>
              <span>{stationName.get(stationId) ?? 'station'}</span>
              <span className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={items.length} aria-valuenow={done}>
                <span style={{ width: `${(100 * done) / items.length}%` }} />
              </span>
              <span className="num">
                {done}/{items.length}
              </span>
            </div>
          );
        })}
      </div>
      <div className="courses">
        {byCourse(order.items).map(([course, items]) => {
          const moves = courseMoves(items);
          const cooking = items.filter((item) => COOKING.has(item.status)).length;
          return (
            <div key={course} className="course">
              <span className="course-label">Course {course}</span>
              <span className="muted">
                {items.every((item) => item.status === 'held') ? 'held' : cooking > 0 ? `${cooking} cooking` : 'done'}
              </span>
              {moves.fire && (
                <button type="button" className="primary" onClick={() => void act(`fire course ${course}`, () => mutations.fireCourse({ orderId: order.id, course }))}>
                  Fire
                </button>
              )}
              {moves.hold && (
                <button type="button" onClick={() => void act(`hold course ${course}`, () => mutations.holdCourse({ orderId: order.id, course }))}>
                  Hold
                </button>
              )}
            </div>
          );
        })}
      </div>
      <div className="order-actions">
        <button
          type="button"
          className="good"
          disabled={order.status !== 'ready' || order.pending}
          onClick={() => void act(`serve ${order.table}`, () => mutations.serveOrder({ orderId: order.id }))}
        >
          Serve
        </button>
        <button type="button" className="rush" aria-pressed={order.rush} onClick={() => toggleRush(order)}>
          {order.rush ? 'Unrush' : 'Rush'}
        </button>
      </div>
    </article>
  );
}
