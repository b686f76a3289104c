import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react'

/**
 * Short messages in a fixed corner (they never push the tickets around): failed, rolled-back actions, and
 * "undo" offers that expire.
 */
export interface Toast {
  id: number
  kind: 'error' | 'info'
  text: string
  action?: { label: string; run: () => void }
  /** ms; errors stay until dismissed. */
  ttlMs?: number
}

interface Toasts {
  push(toast: Omit<Toast, 'id'>): number
  dismiss(id: number): void
}

const ToastContext = createContext<Toasts | null>(null)

export function useToasts(): Toasts {
  const toasts = useContext(ToastContext)
  if (!toasts) throw new Error('useToasts outside <ToastProvider>')
  return toasts
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [list, setList] = useState<Toast[]>([])
  const nextId = useRef(1)
  const dismiss = useCallback((id: number) => setList((all) => all.filter((toast) => toast.id !== id)), [])
  const push = useCallback((toast: Omit<Toast, 'id'>) => {
    const id = nextId.current++
    setList((all) => [...all.slice(-4), { ...toast, id }])
    return id
  }, [])
  const api = useMemo(() => ({ push, dismiss }), [push, dismiss])
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className='toasts' aria-live='polite'>
        {list.map((toast) => <ToastView key={toast.id} toast={toast} dismiss={dismiss} />)}
      </div>
    </ToastContext.Provider>
  )
}

function ToastView({ toast, dismiss }: { toast: Toast; dismiss: (id: number) => void }) {
  useEffect(() => {
    if (!toast.ttlMs) return
    const timer = setTimeout(() => dismiss(toast.id), toast.ttlMs)
    return () => clearTimeout(timer)
  }, [toast, dismiss])
  return (
    <div className='toast' data-kind={toast.kind} role={toast.kind === 'error' ? 'alert' : 'status'}>
      <p>{toast.text}</p>
      {toast.action && (
        <button
          type='button'
          className='primary'
          onClick={() => {
            toast.action!.run()
            dismiss(toast.id)
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button type='button' aria-label='Dismiss' onClick={() => dismiss(toast.id)}>
        ✕
      </button>
    </div>
  )
}
