import { type MouseEvent, useEffect, useId, useRef, useState } from 'react'
import { navigate } from './router.ts'
import type { Screen } from './routes.ts'

/**
 * The screens this staff member may open, behind one button that names the current one: a manager's six screens
 * as links would take the header to several rows on a tablet. The list opens below the button; Escape, a tap
 * outside or a choice closes it.
 */
export function ScreenMenu({ screens, current }: { screens: Screen[]; current: Screen | undefined }) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const listId = useId()

  useEffect(() => {
    if (!open) return
    const close = (event: Event) => {
      if (
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !root.current?.contains(event.target as Node)
      ) setOpen(false)
    }
    document.addEventListener('pointerdown', close)
    document.addEventListener('keydown', close)
    return () => {
      document.removeEventListener('pointerdown', close)
      document.removeEventListener('keydown', close)
    }
  }, [open])

  function follow(event: MouseEvent<HTMLAnchorElement>, screen: Screen) {
    setOpen(false)
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return
    event.preventDefault()
    navigate(screen.path)
  }

  if (screens.length <= 1) return <span className='screen-name'>{current?.label ?? ''}</span>
  return (
    <div className='screen-menu' ref={root}>
      <button
        type='button'
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((shown) => !shown)}
      >
        <span className='screen-name'>{current?.label ?? 'Screens'}</span> <span aria-hidden='true'>▾</span>
        <span className='visually-hidden'>{' — change screen'}</span>
      </button>
      <nav id={listId} aria-label='Screens' hidden={!open}>
        <ul>
          {screens.map((screen) => (
            <li key={screen.path}>
              <a
                href={screen.path}
                aria-current={screen === current ? 'page' : undefined}
                onClick={(event) => follow(event, screen)}
              >
                {screen.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  )
}
