import type { FloorTable, OrderSummary, ServerItem } from '../../../contract/payloads.ts'
import {
  byCreated,
  groupBy,
  OPEN_ORDER_STATUSES,
  rowsOf,
  type ViewInput,
  type WithPending,
} from './context.ts'
import { byLabel, type FloorTableView } from './floor.ts'

export interface ServerOrder extends WithPending<OrderSummary> {
  items: WithPending<ServerItem>[]
  /** Items ready at the pass, waiting to be carried out. */
  readyToServe: number
}

export interface ServerView {
  /** The server's open, ready and served (not yet closed) orders, oldest first. */
  orders: ServerOrder[]
  /** The tables assigned to the server, by label. */
  tables: FloorTableView[]
}

export function serverView(input: ViewInput): ServerView {
  const itemsByOrder = groupBy(rowsOf<ServerItem>(input, 'item'), (item) => item.order_id)
  const orders = rowsOf<OrderSummary>(input, 'order')
    .filter((order) => OPEN_ORDER_STATUSES.has(order.status))
    .sort(byCreated)
    .map((order): ServerOrder => {
      const items = (itemsByOrder.get(order.id) ?? []).sort((a, b) =>
        a.course - b.course || a.id.localeCompare(b.id)
      )
      return {
        ...order,
        pending: order.pending || items.some((item) => item.pending),
        items,
        readyToServe: items.filter((item) => item.status === 'ready').length,
      }
    })
  const tables = rowsOf<FloorTable>(input, 'table')
    .filter((table) => input.scopeId === null || table.server_id === input.scopeId)
    .sort(byLabel)
  return { orders, tables }
}
