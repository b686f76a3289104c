import { type KeyboardEvent, useId, useRef, useState } from 'react'
import type { MenuItem } from '../../app/live.ts'
import { formatPrice } from './draft.ts'

interface Category {
  id: string
  name: string
  items: MenuItem[]
}

const ALL = 'all'

/**
 * The menu in tabs: every dish, then one tab per category (the station that cooks it). A tab narrows a long menu
 * to the dishes a server is looking for; the tabs follow the WAI-ARIA tabs pattern (arrow keys move between them).
 */
export function MenuTabs({
  menu,
  stations,
  onPick,
}: {
  menu: MenuItem[]
  stations: { id: string; name: string }[]
  onPick: (item: MenuItem) => void
}) {
  const base = useId()
  const [current, setCurrent] = useState(ALL)
  const tabs = useRef<(HTMLButtonElement | null)[]>([])
  const active = menu.filter((item) => item.active)
  const categories: Category[] = [
    { id: ALL, name: 'All', items: active },
    ...stations
      .map((station) => ({
        id: station.id,
        name: station.name,
        items: active.filter((item) => item.station_id === station.id),
      }))
      .filter((category) => category.items.length > 0),
  ]
  const shown = categories.find((category) => category.id === current) ?? categories[0]!

  function onKeyDown(event: KeyboardEvent) {
    const at = categories.indexOf(shown)
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key]
    const to = event.key === 'Home'
      ? 0
      : event.key === 'End'
      ? categories.length - 1
      : step === undefined
      ? null
      : (at + step + categories.length) % categories.length
    if (to === null) return
    event.preventDefault()
    setCurrent(categories[to]!.id)
    tabs.current[to]?.focus()
  }

  return (
    <div className='menu' role='group' aria-label='Menu'>
      <div className='menu-tabs' role='tablist' aria-label='Menu categories' onKeyDown={onKeyDown}>
        {categories.map((category, index) => (
          <button
            key={category.id}
            ref={(element) => {
              tabs.current[index] = element
            }}
            type='button'
            role='tab'
            id={`${base}-tab-${index}`}
            aria-selected={category === shown}
            aria-controls={`${base}-panel`}
            tabIndex={category === shown ? 0 : -1}
            onClick={() => setCurrent(category.id)}
          >
            {category.name}
          </button>
        ))}
      </div>
      <div role='tabpanel' id={`${base}-panel`} aria-labelledby={`${base}-tab-${categories.indexOf(shown)}`}>
        <ul className='menu-dishes'>
          {shown.items.map((item) => (
            <li key={item.id}>
              <button type='button' onClick={() => onPick(item)}>
                <span className='dish-name'>{item.name}</span>
                {item.price_cents !== undefined && (
                  <span className='muted num'>{formatPrice(item.price_cents)}</span>
                )}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  )
}
