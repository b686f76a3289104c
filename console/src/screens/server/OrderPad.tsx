import { useRef, useState } from 'react'
import type { MenuItem } from '../../app/live.ts'
import { type DraftLine, draftTotalCents, formatPrice } from './draft.ts'
import { MenuTabs } from './MenuTabs.tsx'
import { PadLine } from './PadLine.tsx'

export interface PadOrder {
  lines: DraftLine[]
  /** For the whole order (expo and the server's card show it); only when placing a new order. */
  note?: string
}

/**
 * The menu by category, the lines picked so far, an order note, and a summary with the total and the send button
 * that stays in view (sticky) however long the menu or the lines grow.
 */
export function OrderPad({
  menu,
  stations,
  submitLabel,
  withNote,
  onSubmit,
}: {
  menu: MenuItem[]
  stations: { id: string; name: string }[]
  submitLabel: string
  /** A new order takes a note; items added to an existing one do not. */
  withNote: boolean
  onSubmit: (order: PadOrder) => Promise<boolean>
}) {
  const [lines, setLines] = useState<DraftLine[]>([])
  const [note, setNote] = useState('')
  const [sending, setSending] = useState(false)
  const nextKey = useRef(1)
  const update = (key: number, change: Partial<DraftLine>) =>
    setLines((all) => all.map((line) => (line.key === key ? { ...line, ...change } : line)))

  function add(menuItem: MenuItem) {
    setLines((all) => [
      ...all,
      {
        key: nextKey.current++,
        menuItem,
        qty: 1,
        course: 1,
        hold: false,
        modifiers: '',
        allergens: [],
        notes: '',
      },
    ])
  }

  // The order shows at once (the client's optimistic mutation), so the pad is cleared at once for the next one;
  // a refused order comes back to the pad, in front of anything picked since.
  async function submit() {
    const order = withNote && note.trim() ? { lines, note: note.trim() } : { lines }
    setSending(true)
    setLines([])
    setNote('')
    const sent = await onSubmit(order)
    setSending(false)
    if (!sent) {
      setLines((picked) => [...order.lines, ...picked])
      setNote((typed) => typed || (order.note ?? ''))
    }
  }

  const total = draftTotalCents(lines)
  const dishes = lines.reduce((sum, line) => sum + line.qty, 0)
  return (
    <section className='order-pad panel' aria-label='Order pad'>
      <MenuTabs menu={menu} stations={stations} onPick={add} />
      <h3 id='pad-lines-title'>Order lines</h3>
      {lines.length === 0 && <p className='muted'>Pick dishes from the menu.</p>}
      <ul className='lines' aria-labelledby='pad-lines-title'>
        {lines.map((line) => (
          <PadLine
            key={line.key}
            line={line}
            onChange={(change) => update(line.key, change)}
            onRemove={() => setLines((all) => all.filter((l) => l.key !== line.key))}
          />
        ))}
      </ul>
      {withNote && (
        <label className='order-note'>
          Order note
          <textarea
            value={note}
            rows={2}
            onChange={(e) => setNote(e.target.value)}
            placeholder='birthday, guest in a hurry…'
          />
        </label>
      )}
      <div className='pad-summary' role='region' aria-label='Order summary'>
        <p className='summary-lines'>
          {lines.length === 0 ? 'No dishes yet' : `${dishes} ${dishes === 1 ? 'dish' : 'dishes'}`}
        </p>
        {total !== undefined && (
          <p className='total num' data-testid='pad-total'>
            Total <strong>{formatPrice(total)}</strong>
          </p>
        )}
        <button
          type='button'
          className='primary'
          disabled={lines.length === 0 || sending}
          onClick={() => void submit()}
        >
          {sending ? 'Sending…' : submitLabel}
        </button>
      </div>
    </section>
  )
}
