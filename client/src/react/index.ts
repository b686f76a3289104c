// React bindings (React ≥ 18): a provider for one PlaterClient, and hooks on useSyncExternalStore.
import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react'
import type { CrewHandle, HandleOf, HealthApi, Mutations, PlaterClient } from '../client.ts'
import type { CrewView } from '../views/crew.ts'
import type { MutationError } from '../errors.ts'
import type { Health } from '../health.ts'
import type { MutationArgs, MutationName, MutationResult } from '../mutations/specs.ts'
import type { ScopeStatus } from '../topic-scope.ts'
import { emptyView, type ScopeKey, scopeKeyId, type ViewOf } from '../scope-keys.ts'

const PlaterContext = createContext<PlaterClient | null>(null)

export function PlaterProvider(props: { client: PlaterClient; children?: ReactNode }): ReactNode {
  return createElement(PlaterContext.Provider, { value: props.client }, props.children)
}

export function usePlater(): PlaterClient {
  const client = useContext(PlaterContext)
  if (!client) throw new Error('usePlater: no <PlaterProvider client={…}> above this component')
  return client
}

export interface ScopeState<V> {
  view: V
  status: ScopeStatus
  error: Error | null
  seq: number
}

/**
 * The scope's handle while the component is mounted: opened in an effect (so Strict Mode's double mount only
 * bumps the pool's ref count, and a render that never commits opens nothing), released on unmount or when the
 * key names another scope. `null` until opened — and while a handle of the previous key is still held, so a
 * screen never shows one scope's rows under another's key.
 */
function useHandle<K extends ScopeKey>(key: K): HandleOf<K> | null {
  const client = usePlater()
  const id = scopeKeyId(key)
  const [held, setHeld] = useState<{ id: string; client: PlaterClient; handle: HandleOf<K> } | null>(null)
  useEffect(() => {
    const handle = client.open(key)
    setHeld({ id, client, handle })
    return () => handle.release()
    // the key is identified by its id; a new object for the same scope must not reopen it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, id])
  return held && held.id === id && held.client === client ? held.handle : null
}

/** Reads a scope's state through useSyncExternalStore: one consistent snapshot per render, never torn. */
function useHandleState<K extends ScopeKey>(key: K, handle: HandleOf<K> | null): ScopeState<ViewOf<K>> {
  const cached = useRef<ScopeState<ViewOf<K>> | null>(null)
  const subscribe = useCallback((onChange: () => void) => (handle ? handle.subscribe(onChange) : () => {}), [
    handle,
  ])
  const snapshot = (): ScopeState<ViewOf<K>> => {
    const next: ScopeState<ViewOf<K>> = handle
      ? { view: handle.getView() as ViewOf<K>, status: handle.status, error: handle.error, seq: handle.seq }
      : { view: emptyView(key), status: 'loading', error: null, seq: 0 }
    const last = cached.current
    if (
      last && last.view === next.view && last.status === next.status && last.error === next.error &&
      last.seq === next.seq
    ) {
      return last
    }
    cached.current = next
    return next
  }
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}

/** Holds a scope while the component is mounted and re-renders on its coalesced notifications. */
export function useScopeState<K extends ScopeKey>(key: K): ScopeState<ViewOf<K>> {
  return useHandleState(key, useHandle(key))
}

/** The scope's view (confirmed ⊕ pending), kept current. */
export function useScope<K extends ScopeKey>(key: K): ViewOf<K> {
  return useScopeState(key).view
}

export interface CrewState extends ScopeState<CrewView> {
  /** Broadcast to the other staff on the crew topic (rejects until the scope is open). */
  send(event: string, payload: Record<string, unknown>): Promise<void>
  /** This console's presence on the crew topic (`null` leaves); Supabase allows 5 calls per 30 s. */
  track(meta: Record<string, unknown> | null): Promise<void>
}

const CREW = { scope: 'crew' } as const

/** The restaurant's crew topic: members present, recent broadcasts, and sending to them (one scope handle). */
export function useCrew(): CrewState {
  const handle = useHandle(CREW) as CrewHandle | null
  const state = useHandleState(CREW, handle)
  const send = useCallback(
    (event: string, payload: Record<string, unknown>) =>
      handle ? handle.send(event, payload) : Promise.reject(new Error('the crew scope is not open yet')),
    [handle],
  )
  const track = useCallback(
    (meta: Record<string, unknown> | null) => (handle ? handle.track(meta) : Promise.resolve()),
    [handle],
  )
  return useMemo(() => ({ ...state, send, track }), [state, send, track])
}

export type MutationsWithState =
  & { [N in MutationName]: (args: MutationArgs[N]) => Promise<MutationResult> }
  & {
    /** A mutation started here has not been answered yet. */
    isPending: boolean
    /** The last refusal of a mutation started here. */
    error: MutationError | null
    reset(): void
  }

/** The client's mutations, with this component's in-flight count and last error. */
export function useMutation(): MutationsWithState {
  const client = usePlater()
  const [inFlight, setInFlight] = useState(0)
  const [error, setError] = useState<MutationError | null>(null)
  const wrapped = useMemo(() => {
    const mutations = client.mutations as Mutations
    const result: Record<string, unknown> = {}
    for (const name of Object.keys(mutations) as (MutationName | 'pending')[]) {
      if (name === 'pending') continue
      result[name] = async (args: MutationArgs[MutationName]) => {
        setInFlight((n) => n + 1)
        try {
          const answer = await (mutations[name] as (a: typeof args) => Promise<MutationResult>)(args)
          setError(null)
          return answer
        } catch (caught) {
          setError(caught as MutationError)
          throw caught
        } finally {
          setInFlight((n) => n - 1)
        }
      }
    }
    return result as { [N in MutationName]: (args: MutationArgs[N]) => Promise<MutationResult> }
  }, [client])
  const reset = useCallback(() => setError(null), [])
  return useMemo(() => ({ ...wrapped, isPending: inFlight > 0, error, reset }), [
    wrapped,
    inFlight,
    error,
    reset,
  ])
}

/** The client's health, re-rendered on status changes and metric updates. */
export function useRealtimeHealth(): Health {
  const health: HealthApi = usePlater().health
  const latest = useRef<{ api: HealthApi; value: Health } | null>(null)
  const subscribe = useCallback(
    (onChange: () => void) => {
      const unsubscribe = health.subscribe((next) => {
        latest.current = { api: health, value: next }
        onChange()
      })
      // what changed between the render and this subscription would otherwise never be seen
      latest.current = { api: health, value: health.get() }
      onChange()
      return unsubscribe
    },
    [health],
  )
  const snapshot = () => {
    if (latest.current?.api !== health) latest.current = { api: health, value: health.get() }
    return latest.current.value
  }
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}
