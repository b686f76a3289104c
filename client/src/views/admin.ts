import type { AdminItem, AdminOrder, AdminTable, DiningTableRow, OrderItemRow, OrderRow } from '../payloads.ts';
import { rowsOf, type ViewInput, type WithPending } from './context.ts';

export interface AdminView {
  /** Open, ready and served orders (whole rows), oldest first. */
  orders: WithPending<OrderRow>[];
  /** Their items. */
  items: WithPending<OrderItemRow>[];
  /** Every table. */
  tables: WithPending<DiningTableRow>[];
}

const LIVE = new Set(['open', 'ready', 'served']);

export function adminView(input: ViewInput): AdminView {
  const orders = rowsOf<AdminOrder>(input, 'order')
    .filter((order) => LIVE.has(order.row.status))
    .map((order) => ({ ...order.row, pending: order.pending }))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const live = new Set(orders.map((order) => order.id));
  const items = rowsOf<AdminItem>(input, 'item')
    .filter((item) => live.has(item.row.order_id))
    .map((item) => ({ ...item.row, pending: item.pending }))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const tables = rowsOf<AdminTable>(input, 'table')
    .map((table) => ({ ...table.row, pending: table.pending }))
    .sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  return { orders, items, tables };
}
