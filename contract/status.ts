// The status machines of items, orders and tables: the statuses (the SQL enums of migrations/*_foundation.sql)
// and the moves between them (enforced by the BEFORE UPDATE triggers of migrations/*_status_machines.sql). Screens
// and the client's optimistic updates use these sets to offer and predict only the moves the database allows.

// The lists are in the enums' order (tests/contract/contract.test.ts compares them with the migrations).
export type ItemStatus = 'held' | 'pending' | 'preparing' | 'ready' | 'served' | 'void'
export const ITEM_STATUSES: readonly ItemStatus[] = [
  'held',
  'pending',
  'preparing',
  'ready',
  'served',
  'void',
]

export type OrderStatus = 'open' | 'ready' | 'served' | 'closed' | 'cancelled'
export const ORDER_STATUSES: readonly OrderStatus[] = ['open', 'ready', 'served', 'closed', 'cancelled']

export type TableStatus = 'free' | 'seated'
export const TABLE_STATUSES: readonly TableStatus[] = ['free', 'seated']

export type StaffRole = 'server' | 'cook' | 'expo' | 'manager'
export const STAFF_ROLES: readonly StaffRole[] = ['server', 'cook', 'expo', 'manager']

/** The named moves of an item: which statuses each starts from and where it ends. */
export const ITEM_MOVES = {
  /** A held course is fired: the kitchen may cook it. */
  fire: { from: ['held'], to: 'pending' },
  /** An unstarted course is held again. */
  hold: { from: ['pending'], to: 'held' },
  start: { from: ['pending'], to: 'preparing' },
  /** Also a bump of a ticket whose items were never started. */
  finish: { from: ['pending', 'preparing'], to: 'ready' },
  recall: { from: ['ready'], to: 'preparing' },
  serve: { from: ['ready'], to: 'served' },
  void: { from: ['held', 'pending', 'preparing', 'ready'], to: 'void' },
} as const satisfies Record<string, { from: readonly ItemStatus[]; to: ItemStatus }>
export type ItemMove = keyof typeof ITEM_MOVES

/** `from>to` pairs the database allows (a status never moves to itself). */
export type Transition<S extends string> = `${S}>${S}`

function pairs<S extends string>(moves: Record<string, { from: readonly S[]; to: S }>): Transition<S>[] {
  return Object.values(moves).flatMap(({ from, to }) =>
    from.map((source) => `${source}>${to}` as Transition<S>)
  )
}

// `@__PURE__`: a bundle that never reads the pairs leaves them out (the client's, tests/package/size.test.ts)
export const ITEM_TRANSITIONS: readonly Transition<ItemStatus>[] = /* @__PURE__ */ pairs<ItemStatus>(
  ITEM_MOVES,
)

/** An order's status follows its items (open ⇄ ready ⇄ served), then is closed; it can be cancelled until served. */
export const ORDER_TRANSITIONS: readonly Transition<OrderStatus>[] = [
  'open>ready',
  'ready>open',
  'ready>served',
  'served>ready',
  'open>served',
  'served>open',
  'served>closed',
  'open>cancelled',
  'ready>cancelled',
]

export const TABLE_TRANSITIONS: readonly Transition<TableStatus>[] = ['free>seated', 'seated>free']

/** Items still on a ticket: not yet served nor voided. Served and void are terminal. */
export const LIVE_ITEM_STATUSES: readonly ItemStatus[] = ['held', 'pending', 'preparing', 'ready']
/** Items a kitchen still has to cook. */
export const COOKING_ITEM_STATUSES: readonly ItemStatus[] = ['pending', 'preparing']
/** Items the kitchen has started and not sent out: only a manager may cancel their order (`cancel_order`). */
export const STARTED_ITEM_STATUSES: readonly ItemStatus[] = ['preparing', 'ready']

export function itemTransitionAllowed(from: ItemStatus, to: ItemStatus): boolean {
  return ITEM_TRANSITIONS.includes(`${from}>${to}`)
}

export function orderTransitionAllowed(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS.includes(`${from}>${to}`)
}

export function tableTransitionAllowed(from: TableStatus, to: TableStatus): boolean {
  return TABLE_TRANSITIONS.includes(`${from}>${to}`)
}

/** Whether an item in `status` can make `move` now (what a screen offers, what the client predicts). */
export function canMoveItem(status: ItemStatus, move: ItemMove): boolean {
  return (ITEM_MOVES[move].from as readonly ItemStatus[]).includes(status)
}
