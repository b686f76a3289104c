import { type KeyboardEvent, memo } from 'react'
import { canMoveItem, type ItemMove } from '../../../../contract/status.ts'
import type { KdsTicket, KdsTicketItem } from '../../app/live.ts'
import { orderNumber, orderPeople } from '../../ui/order.ts'
import { ITEM_STATUS_LABEL } from '../../ui/status.ts'
import { formatAge } from '../../ui/time.ts'
import { type AgeLevel } from './thresholds.ts'
import './ticket.css'

export interface TicketActions {
  start(item: KdsTicketItem): void
  finish(item: KdsTicketItem): void
  recall(item: KdsTicketItem): void
  bump(ticket: KdsTicket): void
}

/** The kitchen's item moves, in the order a ticket prefers them (a waiting dish is started before it is finished). */
const KITCHEN_MOVES = ['start', 'finish', 'recall'] as const satisfies readonly ItemMove[]

/** The one kitchen move an item offers now (digit keys on a focused ticket run it). */
function nextMove(item: KdsTicketItem): (typeof KITCHEN_MOVES)[number] | null {
  return KITCHEN_MOVES.find((move) => canMoveItem(item.status, move)) ?? null
}

const MOVE_LABEL = { start: 'Start', finish: 'Finish', recall: 'Recall' } as const

/**
 * One order's items for this station. Keyboard (a bump bar's keys): Enter or B bumps, 1–9 runs item n's next
 * move, ←/→ move between tickets.
 */
export const TicketCard = memo(function TicketCard({
  ticket,
  ageMs,
  level,
  arrived,
  actions,
}: {
  ticket: KdsTicket
  ageMs: number
  level: AgeLevel
  /** Came in while the screen was open: it flashes for a few seconds. */
  arrived: boolean
  actions: TicketActions
}) {
  // a bump finishes every item of the station's ticket that can still be finished
  const bumpable = ticket.items.some((item) => canMoveItem(item.status, 'finish'))
  const courses = [...new Set(ticket.items.map((item) => item.course))].sort((a, b) => a - b)
  const people = orderPeople(ticket.items[0]!)
  const number = orderNumber(ticket.orderId)
  const table = ticket.table ?? '?'

  function run(item: KdsTicketItem) {
    const move = nextMove(item)
    if (move) actions[move](item)
  }

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.target !== event.currentTarget) return
    const digit = Number(event.key)
    if ((event.key === 'Enter' || event.key.toLowerCase() === 'b') && bumpable) {
      event.preventDefault()
      actions.bump(ticket)
    } else if (digit >= 1 && digit <= 9 && ticket.items[digit - 1]) {
      event.preventDefault()
      run(ticket.items[digit - 1]!)
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault()
      const sibling = event.key === 'ArrowRight'
        ? event.currentTarget.nextElementSibling
        : event.currentTarget.previousElementSibling
      ;(sibling as HTMLElement | null)?.focus()
    }
  }

  return (
    <article
      className='ticket'
      tabIndex={0}
      data-age={level}
      data-rush={ticket.rush}
      data-order={ticket.orderId}
      data-pending={ticket.pending}
      data-arrived={arrived}
      aria-label={`Table ${table}, order ${number}${ticket.rush ? ', rush' : ''}${arrived ? ', new' : ''}, ${
        formatAge(ageMs)
      } old`}
      onKeyDown={onKeyDown}
    >
      <header className='ticket-head'>
        <span className='table'>{ticket.table}</span>
        {ticket.rush && <span className='rush-badge'>RUSH</span>}
        <span className='muted num order-number'>{number}</span>
        <span className='age'>{formatAge(ageMs)}</span>
        <span className='ticket-meta'>
          {people && <span className='people'>{people}</span>}
          <span className='course-list'>
            {courses.length === 1 ? `course ${courses[0]}` : `courses ${courses.join(', ')}`}
          </span>
        </span>
      </header>
      <ol className='ticket-items'>
        {ticket.items.map((item, index) => {
          const move = nextMove(item)
          return (
            <li
              key={item.id}
              className='item'
              data-status={item.status}
              data-pending={item.pending}
              data-item={item.id}
            >
              <span className='item-name'>
                <span className='muted num'>{index + 1}.</span> {item.qty}× {item.name}
                {courses.length > 1 && <span className='muted'>{' · c'}{item.course}</span>}
              </span>
              <span className='item-actions'>
                {move
                  ? (
                    <button
                      type='button'
                      onClick={() => actions[move](item)}
                      disabled={item.pending}
                      aria-label={`${MOVE_LABEL[move]} ${item.qty}× ${item.name}${
                        item.pending ? ' (sending…)' : ''
                      }`}
                    >
                      {item.pending ? 'sending…' : MOVE_LABEL[move]}
                    </button>
                  )
                  : (
                    <span className='item-status' data-status={item.status}>
                      {ITEM_STATUS_LABEL[item.status]}
                    </span>
                  )}
              </span>
              {(item.modifiers.length > 0 || item.allergens.length > 0 || item.notes) && (
                <span className='item-detail'>
                  {item.allergens.map((allergen) => (
                    <span key={allergen} className='allergen'>
                      ⚠ {allergen}
                    </span>
                  ))}
                  {item.modifiers.map((modifier) => (
                    <span key={modifier} className='modifier'>
                      {modifier}
                    </span>
                  ))}
                  {item.notes && <span className='note'>“{item.notes}”</span>}
                </span>
              )}
            </li>
          )
        })}
      </ol>
      <footer className='ticket-foot'>
        <button
          type='button'
          className='good'
          disabled={!bumpable || ticket.pending}
          onClick={() => actions.bump(ticket)}
          aria-label={`Bump ${table} ${number}`}
        >
          Bump
        </button>
      </footer>
    </article>
  )
})
