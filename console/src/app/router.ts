// deno-lint-ignore-file no-window no-window-prefix -- browser code: `window` is the page's global (the rules are for Deno, which has none)
import { useSyncExternalStore } from 'react'

/** Path-based navigation over the History API: the few screens need no routing library. */
const listeners = new Set<() => void>()

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  window.addEventListener('popstate', listener)
  return () => {
    listeners.delete(listener)
    window.removeEventListener('popstate', listener)
  }
}

export function navigate(path: string, { replace = false } = {}): void {
  if (path === window.location.pathname) return
  if (replace) window.history.replaceState(null, '', path)
  else window.history.pushState(null, '', path)
  listeners.forEach((listener) => listener())
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname)
}
