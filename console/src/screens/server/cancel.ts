import { STARTED_ITEM_STATUSES } from '../../../../contract/status.ts'
import type { ServerOrder, StaffRole } from '../../app/live.ts'

/**
 * Why this caller may not cancel this order, in the database's own words (public.cancel_order refuses a server's
 * cancel once an item is cooking or ready); null when the cancel may go. Saying so on the button spares the
 * server a tap that could only be refused.
 */
export function cancelRefusal(order: ServerOrder, role: StaffRole): string | null {
  const started = order.items.some((item) => STARTED_ITEM_STATUSES.includes(item.status))
  if (started && role !== 'manager') return 'only a manager may cancel an order the kitchen has started'
  return null
}
