import { useEffect, useState } from 'react'
import { tableTransitionAllowed } from '../../../../contract/status.ts'
import {
  type FloorTableView,
  type MenuItem,
  type ServerOrder,
  type StaffRole,
  useMenu,
  useMutation,
  useScopeState,
  useSession,
} from '../../app/live.ts'
import { useAction } from '../../ui/actions.ts'
import { StatusPill } from '../../ui/StatusPill.tsx'
import { toOrderItems } from './draft.ts'
import { OrderCard } from './OrderCard.tsx'
import { OrderPad, type PadOrder } from './OrderPad.tsx'
import './server.css'

/** A server's floor: seat and clear their tables; for the chosen table, its orders and the pad to add to them. */
export function ServerScreen() {
  const session = useSession()
  const floor = useScopeState({ scope: 'floor' })
  const mine = useScopeState({ scope: 'server' })
  const menu = useMenu()
  const [selected, setSelected] = useState<string | null>(null)
  const me = session.staff.user_id
  const tables = floor.view.tables
  const table = tables.find((t) => t.id === selected)

  // A table seated by someone else (here or elsewhere) is no longer ours to work on.
  useEffect(() => {
    if (table && table.status === 'seated' && table.server_id !== me) setSelected(null)
  }, [table, me])

  return (
    <section className='screen server' aria-label='Server'>
      <div className='screen-head'>
        <h1>Tables</h1>
        <span className='muted num'>{tables.filter((t) => t.server_id === me).length} mine</span>
        <StatusPill status={floor.status === 'live' ? mine.status : floor.status} />
      </div>
      <div className='floor' role='group' aria-label='Floor'>
        {tables.map((t) => (
          <TableTile
            key={t.id}
            table={t}
            mine={t.server_id === me}
            selected={t.id === selected}
            onSelect={() => setSelected(t.id)}
          />
        ))}
      </div>
      {table && tableTransitionAllowed(table.status, 'seated')
        ? <SeatForm key={table.id} table={table} />
        : table
        ? (
          <TableDetail
            table={table}
            orders={mine.view.orders.filter((order) => order.table_id === table.id)}
            menu={menu}
            stations={session.stations}
            role={session.staff.role}
          />
        )
        : <p className='muted'>Choose one of your tables, or seat a free one.</p>}
    </section>
  )
}

function TableTile(
  { table, mine, selected, onSelect }: {
    table: FloorTableView
    mine: boolean
    selected: boolean
    onSelect: () => void
  },
) {
  const free = tableTransitionAllowed(table.status, 'seated')
  return (
    <button
      type='button'
      className='table-tile'
      data-status={table.status}
      data-mine={mine}
      data-pending={table.pending}
      data-table={table.label}
      aria-pressed={selected}
      disabled={!free && !mine}
      onClick={onSelect}
    >
      <span className='label'>{table.label}</span>
      <span className='muted'>
        {free
          ? `free · ${table.seats} seats`
          : `${table.party_size ?? '?'} guests${mine ? '' : ' · other server'}`}
      </span>
      <span className='pending-label'>{table.pending ? 'sending…' : ''}</span>
    </button>
  )
}

/** Seating a free table: how many guests, then it is this server's. */
function SeatForm({ table }: { table: FloorTableView }) {
  const mutations = useMutation()
  const act = useAction()
  const [partySize, setPartySize] = useState(Math.min(2, table.seats))
  return (
    <form
      className='panel settings'
      aria-label={`Seat ${table.label}`}
      onSubmit={(event) => {
        event.preventDefault()
        void act(`seat ${table.label}`, () => mutations.seatTable({ tableId: table.id, partySize }))
      }}
    >
      <h2>Seat {table.label}</h2>
      <label>
        Guests
        <input
          type='number'
          min={1}
          max={99}
          value={partySize}
          onChange={(e) => setPartySize(Math.max(1, Number(e.target.value) || 1))}
          autoFocus
        />
      </label>
      <button type='submit' className='primary'>
        Seat
      </button>
    </form>
  )
}

function TableDetail({
  table,
  orders,
  menu,
  stations,
  role,
}: {
  table: FloorTableView
  orders: ServerOrder[]
  menu: MenuItem[]
  stations: { id: string; name: string }[]
  role: StaffRole
}) {
  const mutations = useMutation()
  const act = useAction()
  const [addingTo, setAddingTo] = useState<string | null>(null)
  const target = orders.find((order) => order.id === addingTo)

  function send({ lines, note }: PadOrder) {
    const items = toOrderItems(lines)
    if (target) return act(`add to ${table.label}`, () => mutations.addItems({ orderId: target.id, items }))
    return act(
      `order for ${table.label}`,
      () => mutations.placeOrder({ tableId: table.id, items, ...(note ? { note } : {}) }),
    )
  }

  return (
    <div className='server-layout'>
      <section className='order-list' aria-label={`Orders of ${table.label}`}>
        <div className='screen-head'>
          <h2>{table.label}</h2>
          <button
            type='button'
            className='danger'
            disabled={orders.some((order) => order.status !== 'served')}
            onClick={() =>
              void act(`clear ${table.label}`, () => mutations.clearTable({ tableId: table.id }))}
          >
            Clear table
          </button>
        </div>
        {orders.length === 0 && <p className='muted'>No orders yet.</p>}
        {orders.map((order) => (
          <OrderCard
            key={order.id}
            order={order}
            table={table.label}
            role={role}
            adding={addingTo === order.id}
            onToggleAdding={() => setAddingTo(addingTo === order.id ? null : order.id)}
            onCancel={() =>
              void act(`cancel order for ${table.label}`, () => mutations.cancelOrder({ orderId: order.id }))}
          />
        ))}
      </section>
      <OrderPad
        menu={menu}
        stations={stations}
        submitLabel={target ? `Add to #${target.id.slice(0, 4)}` : 'Place order'}
        withNote={!target}
        onSubmit={send}
      />
    </div>
  )
}
