import { useState } from 'react'
import { canMoveItem, COOKING_ITEM_STATUSES, STARTED_ITEM_STATUSES } from '../../../../contract/status.ts'
import {
  type ExpoItem,
  type ExpoOrder,
  useMutation,
  useScopeState,
  useSession,
  type WithPending,
} from '../../app/live.ts'
import { useAction } from '../../ui/actions.ts'
import { useArrivals, useTicketSound } from '../../ui/arrivals.ts'
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx'
import { orderNumber, orderPeople } from '../../ui/order.ts'
import { ITEM_STATUS_LABEL } from '../../ui/status.ts'
import { StatusPill } from '../../ui/StatusPill.tsx'
import { formatAge, useNow } from '../../ui/time.ts'
import { RushButton } from './RushButton.tsx'

type Item = WithPending<ExpoItem>

/** Per course: fire when anything can be fired, hold what can be held while nothing has been started. */
function courseMoves(items: Item[]): { fire: boolean; hold: boolean } {
  const can = (move: 'fire' | 'hold') => items.some((item) => canMoveItem(item.status, move))
  return {
    fire: can('fire'),
    hold: can('hold') && !items.some((item) => STARTED_ITEM_STATUSES.includes(item.status)),
  }
}

function courseState(items: Item[]): string {
  if (items.every((item) => item.status === 'held')) return ITEM_STATUS_LABEL.held
  const cooking = COOKING_ITEM_STATUSES.map((status) =>
    [status, items.filter((item) => item.status === status).length] as const
  )
  if (cooking.some(([, count]) => count > 0)) {
    return cooking.filter(([, count]) => count > 0).map(([status, count]) =>
      `${count} ${ITEM_STATUS_LABEL[status]}`
    ).join(', ')
  }
  return items.every((item) => item.status === 'served') ? ITEM_STATUS_LABEL.served : ITEM_STATUS_LABEL.ready
}

/** What a manager is about to void or cancel, waiting for the reason and the confirmation. */
type Confirming = { kind: 'void'; order: ExpoOrder; item: Item } | { kind: 'cancel'; order: ExpoOrder }

/**
 * Expo: every open order, rush first then oldest, with each station's dishes and their state, courses, serve
 * and rush; a manager also voids a dish or cancels an order here, with a reason, once confirmed.
 */
export function ExpoScreen() {
  const { view, status } = useScopeState({ scope: 'expo' })
  const session = useSession()
  const now = useNow()
  const [sound, setSound] = useTicketSound()
  const [confirming, setConfirming] = useState<Confirming | null>(null)
  const { voidItem, cancelOrder } = useMutation()
  const act = useAction()
  // In the client's order: rush first, then oldest.
  const orders = view.orders
  const arrived = useArrivals(orders.map((order) => order.id), status === 'live', sound)
  const stationName = new Map(session.stations.map((station) => [station.id, station.name]))
  const manager = session.staff.role === 'manager'

  function confirm(reason: string) {
    if (!confirming) return
    const { order } = confirming
    const label = `${order.table ?? 'order'} ${orderNumber(order.id)}`
    if (confirming.kind === 'void') {
      const { item } = confirming
      void act(`void ${item.name} of ${label}`, () => voidItem({ itemId: item.id, reason }))
    } else {
      void act(`cancel ${label}`, () => cancelOrder({ orderId: order.id, reason }))
    }
  }

  return (
    <section className='screen expo' aria-label='Expo'>
      <div className='screen-head'>
        <h1>Expo</h1>
        <span className='muted num'>{orders.length} open</span>
        <span className='muted num'>{orders.filter((order) => order.status === 'ready').length} ready</span>
        <StatusPill status={status} />
        <label className='check'>
          <input type='checkbox' checked={sound} onChange={(e) => setSound(e.target.checked)} />
          Sound on new orders
        </label>
      </div>
      {orders.length === 0
        ? <p className='empty'>{status === 'live' ? 'No open orders.' : 'Loading orders…'}</p>
        : (
          <div className='orders'>
            {orders.map((order) => (
              <ExpoOrderCard
                key={order.id}
                order={order}
                ageMs={now - Date.parse(order.created_at)}
                stationName={stationName}
                arrived={arrived.has(order.id)}
                manage={manager ? setConfirming : null}
              />
            ))}
          </div>
        )}
      {confirming && (
        <ConfirmDialog
          title={confirming.kind === 'void'
            ? `Void ${confirming.item.qty}× ${confirming.item.name}?`
            : `Cancel ${confirming.order.table ?? 'order'} ${orderNumber(confirming.order.id)}?`}
          detail={confirming.kind === 'void'
            ? `It leaves ${
              stationName.get(confirming.item.station_id) ?? 'its station'
            }'s screen, and the order goes on without it.`
            : 'Every dish of the order leaves the kitchen screens, started or not.'}
          confirmLabel={confirming.kind === 'void' ? 'Void dish' : 'Cancel order'}
          onConfirm={confirm}
          onClose={() => setConfirming(null)}
        />
      )}
    </section>
  )
}

function ExpoOrderCard({
  order,
  ageMs,
  stationName,
  arrived,
  manage,
}: {
  order: ExpoOrder
  ageMs: number
  stationName: Map<string, string>
  arrived: boolean
  /** A manager's void and cancel; null for expo. */
  manage: ((what: Confirming) => void) | null
}) {
  const { fireCourse, holdCourse, serveOrder } = useMutation()
  const act = useAction()
  const table = order.table ?? 'order'
  const number = orderNumber(order.id)
  const people = orderPeople(order)
  const courses = Map.groupBy(order.items, (item) => item.course)
  const byStation = Map.groupBy(order.items, (item) => item.station_id)
  const readyToServe = order.items.filter((item) => canMoveItem(item.status, 'serve')).length
  const status = order.pending ? 'sending…' : order.status

  return (
    <article
      className='order'
      data-status={order.status}
      data-rush={order.rush}
      data-order={order.id}
      data-pending={order.pending}
      data-arrived={arrived}
      aria-label={`${table} order ${number}${order.rush ? ', rush' : ''}, ${status}`}
    >
      <header className='order-head'>
        <span className='table'>{order.table}</span>
        {order.rush && <span className='rush-badge'>RUSH</span>}
        <span className='muted num order-number'>{number}</span>
        <span className='muted num'>{formatAge(ageMs)}</span>
        <span className='order-status'>{status}</span>
      </header>
      {people && <p className='order-meta'>{people}</p>}
      {order.note && <p className='note'>“{order.note}”</p>}
      <div className='stations'>
        {order.stations.map((progress) => {
          const name = stationName.get(progress.stationId) ?? 'station'
          return (
            <section
              key={progress.stationId}
              className='station-dishes'
              data-station={progress.stationId}
              aria-label={`${name} dishes`}
            >
              <div className='progress-row'>
                <h3>{name}</h3>
                <span
                  className='bar'
                  role='progressbar'
                  aria-label={`${name}: ready`}
                  aria-valuemin={0}
                  aria-valuemax={progress.total}
                  aria-valuenow={progress.ready}
                  aria-valuetext={`${progress.ready} of ${progress.total} ready`}
                >
                  <span style={{ width: `${(100 * progress.ready) / Math.max(1, progress.total)}%` }} />
                </span>
                <span className='num'>
                  {progress.ready}/{progress.total}
                </span>
              </div>
              <ul className='dishes'>
                {(byStation.get(progress.stationId) ?? []).map((item) => (
                  <li
                    key={item.id}
                    className='dish'
                    data-status={item.status}
                    data-item={item.id}
                    data-pending={item.pending}
                  >
                    <span className='dish-name'>
                      {item.qty}× {item.name}
                      {courses.size > 1 && <span className='muted'>{' · c'}{item.course}</span>}
                    </span>
                    <span className='item-status' data-status={item.status}>
                      {ITEM_STATUS_LABEL[item.status]}
                    </span>
                    {manage && canMoveItem(item.status, 'void') && (
                      <button
                        type='button'
                        className='danger'
                        disabled={item.pending}
                        onClick={() => manage({ kind: 'void', order, item })}
                        aria-label={`Void ${item.qty}× ${item.name}`}
                      >
                        Void
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )
        })}
      </div>
      <div className='courses'>
        {[...courses].sort(([a], [b]) => a - b).map(([course, items]) => {
          const moves = courseMoves(items)
          return (
            <div key={course} className='course' data-course={course}>
              <span className='course-label'>Course {course}</span>
              <span className='muted'>{courseState(items)}</span>
              {moves.fire && (
                <button
                  type='button'
                  className='primary'
                  onClick={() =>
                    void act(
                      `fire course ${course} of ${table}`,
                      () => fireCourse({ orderId: order.id, course }),
                    )}
                  aria-label={`Fire course ${course} of ${table}`}
                >
                  Fire
                </button>
              )}
              {moves.hold && (
                <button
                  type='button'
                  onClick={() =>
                    void act(
                      `hold course ${course} of ${table}`,
                      () => holdCourse({ orderId: order.id, course }),
                    )}
                  aria-label={`Hold course ${course} of ${table}`}
                >
                  Hold
                </button>
              )}
            </div>
          )
        })}
      </div>
      <div className='order-actions'>
        <button
          type='button'
          className='good'
          disabled={readyToServe === 0 || order.pending}
          onClick={() => void act(`serve ${table}`, () => serveOrder({ orderId: order.id }))}
          aria-label={`${
            order.complete || readyToServe === 0 ? 'Serve' : `Serve ${readyToServe} ready of`
          } ${table} ${number}`}
        >
          {order.complete || readyToServe === 0 ? 'Serve' : `Serve ${readyToServe} ready`}
        </button>
        <RushButton order={order} />
        {/* the database refuses to cancel an order with served dishes (void the open ones instead): not offered */}
        {manage && !order.items.some((item) => item.status === 'served') && (
          <button
            type='button'
            className='danger'
            disabled={order.pending}
            onClick={() => manage({ kind: 'cancel', order })}
            aria-label={`Cancel order ${table} ${number}`}
          >
            Cancel order
          </button>
        )}
      </div>
    </article>
  )
}
