// What the simulator plans from: the manager's live `admin` view (the client's snapshot, then the topic's
// deltas), and a wait for it to show the simulator's own last change — the view arrives over the socket a moment
// after the answer, and a plan made before would act on the change again.
import type { AdminView, MutationResult, ScopeHandle } from 'plater-realtime'

/** How long the view may take to show an answered change before it is caught up by hand. */
const SHOWN_WITHIN_MS = 2_000

export class ServiceWatch {
  constructor(
    private readonly admin: ScopeHandle<AdminView>,
    /** Catches the manager's scopes up (the view missed a change it should have shown by now). */
    private readonly resync: () => void,
  ) {}

  get view(): AdminView {
    return this.admin.getView()
  }

  /**
   * Resolves once the view holds every row of `answer` at its answered version or later (or after
   * SHOWN_WITHIN_MS, having asked for a catch-up), or when `signal` aborts.
   */
  async shows(answer: MutationResult, signal: AbortSignal): Promise<void> {
    const answered = answeredVersions(answer)
    const shown = () => {
      const { orders, items, tables } = this.view
      const held = new Map<string, number>(
        [...orders, ...items, ...tables].map((row) => [row.id, row.version]),
      )
      return [...answered].every(([id, version]) => (held.get(id) ?? 0) >= version)
    }
    if (shown() || signal.aborted) return
    await new Promise<void>((resolve) => {
      const done = () => {
        unsubscribe()
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const unsubscribe = this.admin.subscribe(() => {
        if (shown()) done()
      })
      const timer = setTimeout(() => {
        this.resync()
        done()
      }, SHOWN_WITHIN_MS)
      signal.addEventListener('abort', done)
    })
  }
}

/** The rows an answer carries (`{table}`, `{item}`, `{order, items}`, `{items}`), by id. */
function answeredVersions(answer: MutationResult): Map<string, number> {
  const versions = new Map<string, number>()
  for (const value of Object.values(answer)) {
    for (const row of Array.isArray(value) ? value : [value]) {
      const { id, version } = (row ?? {}) as { id?: unknown; version?: unknown }
      if (typeof id === 'string' && typeof version === 'number') versions.set(id, version)
    }
  }
  return versions
}
