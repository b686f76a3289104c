const LABEL: Record<string, string> = {
  live: '● live',
  loading: '◌ loading',
  catching_up: '◌ catching up',
  connecting: '◌ connecting',
  degraded: '◐ degraded',
  polling: '◐ polling',
  offline: '○ offline',
  error: '✕ error',
};

/** A connection/feed state, in words and colour (the colour is never the only signal). */
export function StatusPill({ status }: { status: string }) {
  return (
    <span className="status-pill" data-status={status} role="status">
      {LABEL[status] ?? status}
    </span>
  );
}
