import type { DraftLine } from './draft.ts'
import { ALLERGENS } from './draft.ts'

/**
 * One line of the pad. Every control's name says which dish it belongs to ("Qty for Burger"): a screen reader
 * reading the second of five lines hears whose quantity it is changing.
 */
export function PadLine({
  line,
  onChange,
  onRemove,
}: {
  line: DraftLine
  onChange: (change: Partial<DraftLine>) => void
  onRemove: () => void
}) {
  const dish = line.menuItem.name
  return (
    <li className='line' data-dish={dish}>
      <strong className='line-dish'>{dish}</strong>
      <button type='button' className='line-remove' aria-label={`Remove ${dish}`} onClick={onRemove}>
        ✕
      </button>
      <div className='line-fields'>
        <label>
          Qty
          <input
            type='number'
            aria-label={`Qty for ${dish}`}
            min={1}
            max={99}
            value={line.qty}
            onChange={(e) => onChange({ qty: Math.min(99, Math.max(1, Number(e.target.value) || 1)) })}
          />
        </label>
        <label>
          Course
          <input
            type='number'
            aria-label={`Course for ${dish}`}
            min={1}
            max={9}
            value={line.course}
            onChange={(e) => onChange({ course: Math.min(9, Math.max(1, Number(e.target.value) || 1)) })}
          />
        </label>
        <label className='check'>
          <input type='checkbox' checked={line.hold} onChange={(e) => onChange({ hold: e.target.checked })} />
          <span>
            hold <span className='sr-only'>{dish}</span>(fire later)
          </span>
        </label>
        <label className='wide'>
          Modifiers (comma separated)
          <input
            aria-label={`Modifiers for ${dish} (comma separated)`}
            value={line.modifiers}
            onChange={(e) => onChange({ modifiers: e.target.value })}
            placeholder='medium rare, no onion'
          />
        </label>
        <label className='wide'>
          Note for the kitchen
          <input
            aria-label={`Note for ${dish}`}
            value={line.notes}
            onChange={(e) => onChange({ notes: e.target.value })}
            placeholder='sauce on the side'
          />
        </label>
      </div>
      <fieldset className='allergen-choices'>
        <legend>
          Allergens <span className='sr-only'>for {dish}</span>
        </legend>
        {ALLERGENS.map((allergen) => (
          <label key={allergen} className='check'>
            <input
              type='checkbox'
              checked={line.allergens.includes(allergen)}
              onChange={(e) =>
                onChange({
                  allergens: e.target.checked
                    ? [...line.allergens, allergen]
                    : line.allergens.filter((a) => a !== allergen),
                })}
            />
            {allergen}
          </label>
        ))}
      </fieldset>
    </li>
  )
}
