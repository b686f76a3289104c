import type { FloorTable } from '../../../contract/payloads.ts'
import { rowsOf, type ViewInput, type WithPending } from './context.ts'

export type FloorTableView = WithPending<FloorTable>

export interface FloorView {
  /** Every table of the restaurant, by label. */
  tables: FloorTableView[]
}

export function byLabel(a: { label: string }, b: { label: string }): number {
  return a.label.localeCompare(b.label, undefined, { numeric: true })
}

export function floorView(input: ViewInput): FloorView {
  return { tables: rowsOf<FloorTable>(input, 'table').sort(byLabel) }
}
