import { type ExpoItem, type ExpoOrder, useMutations, useScopeState, useSession, type WithPending } from '../../app/live.ts';
import { useAction } from '../../ui/actions.ts';
import { StatusPill } from '../../ui/StatusPill.tsx';
import { formatAge, useNow } from '../../ui/time.ts';
import { RushButton } from './RushButton.tsx';

type Item = WithPending<ExpoItem>;

/** Per course: fire when anything is held, hold while nothing has been started. */
function courseMoves(items: Item[]): { fire: boolean; hold: boolean } {
  return {
    fire: items.some((item) => item.status === 'held'),
    hold: items.some((item) => item.status === 'pending') && !items.some((item) => item.status === 'preparing' || item.status === 'ready'),
  };
}

function courseState(items: Item[]): string {
  if (items.every((item) => item.status === 'held')) return 'held';
  const waiting = items.filter((item) => item.status === 'pending').length;
  const cooking = items.filter((item) => item.status === 'preparing').length;
  if (waiting + cooking > 0) return [waiting && `${waiting} waiting`, cooking && `${cooking} cooking`].filter(Boolean).join(', ');
  return items.every((item) => item.status === 'served') ? 'served' : 'ready';
}

/** Expo: every open order, rush first then oldest, with each station's progress, courses, serve and rush. */
export function ExpoScreen() {
  const { view, status } = useScopeState({ scope: 'expo' });
  const session = useSession();
  const now = useNow();
  // In the client's order: rush first, then oldest.
  const orders = view.orders;
  const stationName = new Map(session.stations.map((station) => [station.id, station.name]));

  return (
    <section className="screen expo" aria-label="Expo">
      <div className="screen-head">
        <h1>Expo</h1>
        <span className="muted num">{orders.length} open</span>
        <span className="muted num">{orders.filter((order) => order.status === 'ready').length} ready</span>
        <StatusPill status={status} />
      </div>
      {orders.length === 0 ? (
        <p className="empty">{status === 'live' ? 'No open orders.' : 'Loading orders…'}</p>
      ) : (
        <div className="orders">
          {orders.map((order) => (
            <ExpoOrderCard key={order.id} order={order} ageMs={now - Date.parse(order.created_at)} stationName={stationName} />
          ))}
        </div>
      )}
    </section>
  );
}

function ExpoOrderCard({ order, ageMs, stationName }: { order: ExpoOrder; ageMs: number; stationName: Map<string, string> }) {
  const mutations = useMutations();
  const act = useAction();
  const table = order.table ?? 'order';
  const courses = Map.groupBy(order.items, (item) => item.course);
  const readyToServe = order.items.filter((item) => item.status === 'ready').length;

  return (
    <article className="order" data-status={order.status} data-rush={order.rush} data-order={order.id} data-pending={order.pending}>
      <header className="order-head">
        <span className="table">{order.table}</span>
        {order.rush && <span className="rush-badge">RUSH</span>}
        <span className="muted num">{formatAge(ageMs)}</span>
        <span className="order-status">{order.pending ? 'sending…' : order.status}</span>
      </header>
      {order.note && <p className="note">“{order.note}”</p>}
      <div className="progress" aria-label="Stations">
        {order.stations.map((progress) => (
          <div key={progress.stationId} className="progress-row" data-station={progress.stationId}>
            <span>{stationName.get(progress.stationId) ?? 'station'}</span>
            <span className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.ready}>
              <span style={{ width: `${(100 * progress.ready) / Math.max(1, progress.total)}%` }} />
            </span>
            <span className="num">
              {progress.ready}/{progress.total}
            </span>
          </div>
        ))}
      </div>
      <div className="courses">
        {[...courses].sort(([a], [b]) => a - b).map(([course, items]) => {
          const moves = courseMoves(items);
          return (
            <div key={course} className="course" data-course={course}>
              <span className="course-label">Course {course}</span>
              <span className="muted">{courseState(items)}</span>
              {moves.fire && (
                <button type="button" className="primary" onClick={() => void act(`fire course ${course} of ${table}`, () => mutations.fireCourse({ orderId: order.id, course }))}>
                  Fire
                </button>
              )}
              {moves.hold && (
                <button type="button" onClick={() => void act(`hold course ${course} of ${table}`, () => mutations.holdCourse({ orderId: order.id, course }))}>
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
          disabled={readyToServe === 0 || order.pending}
          onClick={() => void act(`serve ${table}`, () => mutations.serveOrder({ orderId: order.id }))}
        >
          {order.complete || readyToServe === 0 ? 'Serve' : `Serve ${readyToServe} ready`}
        </button>
        <RushButton order={order} />
      </div>
    </article>
  );
}
