import type { ExpoItem, OrderSummary } from '../../../contract/payloads.ts'
import type { OrderStatus } from '../../../contract/status.ts'
import { byCreated, groupBy, rowsOf, type ViewInput, type WithPending } from './context.ts'

export interface StationProgress {
  stationId: string
  /** Live (not void) items of the order at this station. */
  total: number
  /** Fired, not started. */
  waiting: number
  preparing: number
  ready: number
  held: number
}

export interface ExpoOrder extends WithPending<OrderSummary> {
  items: WithPending<ExpoItem>[]
  stations: StationProgress[]
  /** Every fired item is ready (or served): the order can go out. */
  complete: boolean
}

export interface ExpoView {
  /** Open and ready orders, rushed first, then oldest first. */
  orders: ExpoOrder[]
}

/** The orders an expo snapshot keeps. */
export const EXPO_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(['open', 'ready'])

export function expoView(input: ViewInput): ExpoView {
  const itemsByOrder = groupBy(
    rowsOf<ExpoItem>(input, 'item').filter((item) => item.status !== 'void'),
    (item) => item.order_id,
  )
  const orders = rowsOf<OrderSummary>(input, 'order')
    .filter((order) => EXPO_ORDER_STATUSES.has(order.status))
    .sort((a, b) => Number(b.rush) - Number(a.rush) || byCreated(a, b))
    .map((order): ExpoOrder => {
      const items = itemsByOrder.get(order.id) ?? []
      const fired = items.filter((item) => item.status !== 'held')
      return {
        ...order,
        pending: order.pending || items.some((item) => item.pending),
        items,
        stations: stationProgress(items),
        complete: fired.length > 0 &&
          fired.every((item) => item.status === 'ready' || item.status === 'served'),
      }
    })
  return { orders }
}

function stationProgress(items: ExpoItem[]): StationProgress[] {
  return [...groupBy(items, (item) => item.station_id)]
    .map(([stationId, list]) => ({
      stationId,
      total: list.length,
      waiting: list.filter((item) => item.status === 'pending').length,
      preparing: list.filter((item) => item.status === 'preparing').length,
      ready: list.filter((item) => item.status === 'ready' || item.status === 'served').length,
      held: list.filter((item) => item.status === 'held').length,
    }))
    .sort((a, b) => a.stationId.localeCompare(b.stationId))
}
