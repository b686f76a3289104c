import type { KdsItem } from '../../../contract/payloads.ts'
import { COOKING_ITEM_STATUSES, LIVE_ITEM_STATUSES } from '../../../contract/status.ts'
import { groupBy, millis, rowsOf, type ViewInput, type WithPending } from './context.ts'

export type KdsTicketItem = WithPending<KdsItem>

export type TicketStatus = 'held' | 'new' | 'in_progress' | 'ready'

/** One order's items at this station. */
export interface KdsTicket {
  orderId: string
  table: string | null
  status: TicketStatus
  /** Expo or a manager rushed the order: it sorts first. */
  rush: boolean
  /** When the ticket's first fired item was fired (epoch ms); null while everything is held. */
  firedAt: number | null
  /** `now - firedAt` when the view was built (0 while held); tick it with `firedAt` for a live timer. */
  ageMs: number
  /** An unconfirmed mutation touches one of its items. */
  pending: boolean
  items: KdsTicketItem[]
}

export interface KdsView {
  /** Rushed first, then oldest fired first; fully held tickets last. */
  tickets: KdsTicket[]
  /** Quantities to cook across tickets (pending and preparing items), by dish. */
  allDay: { name: string; qty: number }[]
}

export function kdsView(input: ViewInput): KdsView {
  // what a kds snapshot keeps: the station's items not yet served nor voided
  const items = rowsOf<KdsItem>(input, 'item').filter((item) => LIVE_ITEM_STATUSES.includes(item.status))
  items.sort((a, b) =>
    a.course - b.course || (a.fired_at ?? '').localeCompare(b.fired_at ?? '') || a.id.localeCompare(b.id)
  )
  const tickets: KdsTicket[] = []
  for (const [orderId, ticketItems] of groupBy(items, (item) => item.order_id)) {
    const fired = ticketItems.map((item) => millis(item.fired_at)).filter((ms): ms is number => ms !== null)
    const firedAt = fired.length > 0 ? Math.min(...fired) : null
    tickets.push({
      orderId,
      table: ticketItems[0]!.table,
      status: ticketStatus(ticketItems),
      rush: ticketItems.some((item) => item.rush),
      firedAt,
      ageMs: firedAt === null ? 0 : Math.max(0, input.now - firedAt),
      pending: ticketItems.some((item) => item.pending),
      items: ticketItems,
    })
  }
  tickets.sort((a, b) =>
    Number(b.rush) - Number(a.rush) || (a.firedAt ?? Infinity) - (b.firedAt ?? Infinity) ||
    a.orderId.localeCompare(b.orderId)
  )
  const allDay = new Map<string, number>()
  for (const item of items) {
    if (COOKING_ITEM_STATUSES.includes(item.status)) {
      allDay.set(item.name, (allDay.get(item.name) ?? 0) + item.qty)
    }
  }
  return {
    tickets,
    allDay: [...allDay].map(([name, qty]) => ({ name, qty })).sort((a, b) =>
      b.qty - a.qty || a.name.localeCompare(b.name)
    ),
  }
}

function ticketStatus(items: KdsItem[]): TicketStatus {
  if (items.every((item) => item.status === 'ready')) return 'ready'
  if (items.some((item) => item.status === 'preparing' || item.status === 'ready')) return 'in_progress'
  if (items.some((item) => item.status === 'pending')) return 'new'
  return 'held'
}
