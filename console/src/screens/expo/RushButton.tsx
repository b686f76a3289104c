import { useMutation } from '../../app/live.ts'
import { useAction } from '../../ui/actions.ts'
import { orderNumber } from '../../ui/order.ts'
import { useToasts } from '../../ui/toasts.tsx'

const UNDO_MS = 6000

/**
 * Marks or unmarks an order rush at once (every station re-sorts), with an undo offered for a few seconds:
 * a mis-tap on a busy pass costs one more tap, not a walk to every station.
 */
export function RushButton({ order }: { order: { id: string; table: string | null; rush: boolean } }) {
  const { setRush } = useMutation()
  const act = useAction()
  const toasts = useToasts()
  const rush = !order.rush
  const table = order.table ?? 'order'

  function toggle() {
    const label = `${rush ? 'rush' : 'unrush'} ${table}`
    const offer = toasts.push({
      kind: 'info',
      text: rush ? `${table} is rush` : `${table} is no longer rush`,
      ttlMs: UNDO_MS,
      action: {
        label: 'Undo',
        run: () => void act(`undo ${label}`, () => setRush({ orderId: order.id, rush: !rush })),
      },
    })
    void act(label, () => setRush({ orderId: order.id, rush })).then((applied) =>
      applied || toasts.dismiss(offer)
    )
  }

  return (
    <button
      type='button'
      className='rush'
      aria-pressed={!rush}
      onClick={toggle}
      aria-label={`${rush ? 'Rush' : 'Unrush'} ${table} ${orderNumber(order.id)}`}
    >
      {rush ? 'Rush' : 'Unrush'}
    </button>
  )
}
