import type { Status } from '../app/live.ts'

/** The client's one status vocabulary (client/src/status.ts), in words: health, every scope and presence alike. */
const LABEL: Record<Status, string> = {
  live: '● live',
  loading: '◌ loading',
  catching_up: '◌ catching up',
  polling: '◐ polling',
  offline: '○ offline',
  error: '✕ error',
}

/** A connection/feed state, in words and colour (the colour is never the only signal). */
export function StatusPill({ status }: { status: string }) {
  return (
    <span className='status-pill' data-status={status} role='status'>
      {LABEL[status as Status] ?? status}
    </span>
  )
}
