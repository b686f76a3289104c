import type { ItemStatus } from '../app/live.ts'

/** Item statuses in the words of the floor ("pending" would read as "not yet sent"). */
export const ITEM_STATUS_LABEL: Record<ItemStatus, string> = {
  held: 'held',
  pending: 'waiting',
  preparing: 'cooking',
  ready: 'ready',
  served: 'served',
  void: 'void',
}
