import type {
  AdminItem,
  AdminOrder,
  AdminTable,
  DiningTableRow,
  OrderItemRow,
  OrderRow,
} from '../../../contract/payloads.ts'
import { OPEN_ORDER_STATUSES, rowsOf, type ViewInput, type WithPending } from './context.ts'
import { byLabel } from './floor.ts'

export interface AdminView {
  /** Open, ready and served orders (whole rows), oldest first. */
  orders: WithPending<OrderRow>[]
  /** Their items. */
  items: WithPending<OrderItemRow>[]
  /** Every table. */
  tables: WithPending<DiningTableRow>[]
}

const oldestFirst = (a: { created_at: string; id: string }, b: { created_at: string; id: string }) =>
  a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)

export function adminView(input: ViewInput): AdminView {
  const orders = rowsOf<AdminOrder>(input, 'order')
    .filter((order) => OPEN_ORDER_STATUSES.has(order.row.status))
    .map((order) => ({ ...order.row, pending: order.pending }))
    .sort(oldestFirst)
  const live = new Set(orders.map((order) => order.id))
  const items = rowsOf<AdminItem>(input, 'item')
    .filter((item) => live.has(item.row.order_id))
    .map((item) => ({ ...item.row, pending: item.pending }))
    .sort(oldestFirst)
  const tables = rowsOf<AdminTable>(input, 'table')
    .map((table) => ({ ...table.row, pending: table.pending }))
    .sort(byLabel)
  return { orders, items, tables }
}
