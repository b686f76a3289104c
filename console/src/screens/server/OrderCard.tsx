import { useId, useState } from 'react'
import { orderTransitionAllowed } from '../../../../contract/status.ts'
import type { ServerOrder, StaffRole } from '../../app/live.ts'
import { ITEM_STATUS_LABEL } from '../../ui/status.ts'
import { cancelRefusal } from './cancel.ts'

/** One of the table's orders as its server sees it: each dish with what the kitchen was told, and its actions. */
export function OrderCard({
  order,
  table,
  role,
  adding,
  onToggleAdding,
  onCancel,
}: {
  order: ServerOrder
  table: string
  role: StaffRole
  adding: boolean
  onToggleAdding: () => void
  onCancel: () => void
}) {
  const id = useId()
  // Cancelling takes a second tap on the same button (no dialog in the way of a busy floor).
  const [confirming, setConfirming] = useState(false)
  const number = `#${order.id.slice(0, 4)}`
  const refusal = cancelRefusal(order, role)
  return (
    <article
      className='order'
      aria-labelledby={`${id}-title`}
      data-status={order.status}
      data-order={order.id}
      data-pending={order.pending}
    >
      <header className='order-head'>
        <h3 className='table' id={`${id}-title`}>
          <span className='sr-only'>{'Order '}</span>
          {number}
          <span className='sr-only'>{' at '}{table}</span>
        </h3>
        <span className='order-status'>{order.pending ? 'sending…' : order.status}</span>
      </header>
      {order.note && <p className='note'>“{order.note}”</p>}
      <ul className='lines'>
        {order.items.map((item) => (
          <li key={item.id} className='item' data-status={item.status} data-pending={item.pending}>
            <span className='item-name'>
              {item.qty}× {item.name} <span className='muted'>c{item.course}</span>
            </span>
            <span className='item-status' data-status={item.status}>
              {item.pending ? 'sending…' : ITEM_STATUS_LABEL[item.status]}
            </span>
            {(item.modifiers.length > 0 || item.allergens.length > 0 || item.notes) && (
              <span className='item-detail'>
                {item.modifiers.map((modifier) => (
                  <span key={modifier} className='modifier'>
                    {modifier}
                  </span>
                ))}
                {item.allergens.map((allergen) => (
                  <span key={allergen} className='allergen'>
                    <span className='sr-only'>{'allergen: '}</span>
                    {allergen}
                  </span>
                ))}
                {item.notes && <span className='note'>“{item.notes}”</span>}
              </span>
            )}
          </li>
        ))}
      </ul>
      <div className='order-actions'>
        <button type='button' aria-pressed={adding} aria-describedby={`${id}-title`} onClick={onToggleAdding}>
          {adding ? 'Adding to this order' : 'Add items'}
        </button>
        <button
          type='button'
          className='danger'
          disabled={!orderTransitionAllowed(order.status, 'cancelled') || order.pending || refusal !== null}
          aria-describedby={refusal ? `${id}-refusal` : `${id}-title`}
          onClick={() => {
            if (!confirming) return setConfirming(true)
            setConfirming(false)
            onCancel()
          }}
          onBlur={() => setConfirming(false)}
        >
          {confirming ? 'Really cancel?' : 'Cancel order'}
        </button>
      </div>
      {refusal && (
        <p className='cancel-refusal muted' id={`${id}-refusal`}>
          Cancel: {refusal}
        </p>
      )}
    </article>
  )
}
