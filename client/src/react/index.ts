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
} from 'react';
import type { CrewHandle, HealthApi, Mutations, PlaterClient, ScopeHandle } from '../client.ts';
import type { CrewView } from '../crew.ts';
import type { MutationError } from '../errors.ts';
import type { Health } from '../health.ts';
import type { MutationArgs, MutationName, MutationResult } from '../mutations/specs.ts';
import type { ScopeStatus } from '../scope.ts';
import { emptyView, type ScopeKey, scopeKeyId, type ViewOf } from '../scopes.ts';

const PlaterContext = createContext<PlaterClient | null>(null);

export function PlaterProvider(props: { client: PlaterClient; children?: ReactNode }): ReactNode {
  return createElement(PlaterContext.Provider, { value: props.client }, props.children);
}

export function usePlater(): PlaterClient {
  const client = useContext(PlaterContext);
  if (!client) throw new Error('usePlater: no <PlaterProvider client={…}> above this component');
  return client;
}

export interface ScopeState<V> {
  view: V;
  status: ScopeStatus;
  error: Error | null;
  seq: number;
}

/**
 * Holds a scope while the component is mounted (opened in an effect, so Strict Mode's double mount only
 * bumps the ref count) and re-renders on its coalesced notifications.
 */
export function useScopeState<K extends ScopeKey>(key: K): ScopeState<ViewOf<K>> {
  const client = usePlater();
  const id = scopeKeyId(key);
  const [handle, setHandle] = useState<ScopeHandle<ViewOf<K>> | null>(null);
  useEffect(() => {
    const opened = client.open(key) as unknown as ScopeHandle<ViewOf<K>>;
    setHandle(opened);
    return () => opened.release();
    // the key is identified by its id; a new object for the same scope must not reopen it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, id]);
  const cached = useRef<ScopeState<ViewOf<K>> | null>(null);
  const subscribe = useCallback((onChange: () => void) => (handle ? handle.subscribe(onChange) : () => {}), [handle]);
  const snapshot = (): ScopeState<ViewOf<K>> => {
    const next: ScopeState<ViewOf<K>> = handle
      ? { view: handle.getView(), status: handle.status, error: handle.error, seq: handle.seq }
      : { view: emptyView(key), status: 'loading', error: null, seq: 0 };
    const last = cached.current;
    if (last && last.view === next.view && last.status === next.status && last.error === next.error && last.seq === next.seq) {
      return last;
    }
    cached.current = next;
    return next;
  };
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/** The scope's view (confirmed ⊕ pending), kept current. */
export function useScope<K extends ScopeKey>(key: K): ViewOf<K> {
  return useScopeState(key).view;
}

export interface CrewState extends ScopeState<CrewView> {
  /** Broadcast to the other staff on the crew topic (rejects until the scope is open). */
  send(event: string, payload: Record<string, unknown>): Promise<void>;
  /** This console's presence on the crew topic (`null` leaves); Supabase allows 5 calls per 30 s. */
  track(meta: Record<string, unknown> | null): Promise<void>;
}

/** The restaurant's crew topic: members present, recent broadcasts, and sending to them. */
export function useCrew(): CrewState {
  const client = usePlater();
  const state = useScopeState({ scope: 'crew' });
  const [handle, setHandle] = useState<CrewHandle | null>(null);
  useEffect(() => {
    const opened = client.open({ scope: 'crew' });
    setHandle(opened);
    return () => opened.release();
  }, [client]);
  const send = useCallback(
    (event: string, payload: Record<string, unknown>) =>
      handle ? handle.send(event, payload) : Promise.reject(new Error('the crew scope is not open yet')),
    [handle],
  );
  const track = useCallback((meta: Record<string, unknown> | null) => (handle ? handle.track(meta) : Promise.resolve()), [handle]);
  return { ...state, send, track };
}

export type MutationsWithState = { [N in MutationName]: (args: MutationArgs[N]) => Promise<MutationResult> } & {
  /** A mutation started here has not been answered yet. */
  isPending: boolean;
  /** The last refusal of a mutation started here. */
  error: MutationError | null;
  reset(): void;
};

/** The client's mutations, with this component's in-flight count and last error. */
export function useMutation(): MutationsWithState {
  const client = usePlater();
  const [inFlight, setInFlight] = useState(0);
  const [error, setError] = useState<MutationError | null>(null);
  const wrapped = useMemo(() => {
    const mutations = client.mutations as Mutations;
    const result: Record<string, unknown> = {};
    for (const name of Object.keys(mutations) as (MutationName | 'pending')[]) {
      if (name === 'pending') continue;
      result[name] = async (args: MutationArgs[MutationName]) => {
        setInFlight((n) => n + 1);
        try {
          return await (mutations[name] as (a: typeof args) => Promise<MutationResult>)(args);
        } catch (caught) {
          setError(caught as MutationError);
          throw caught;
        } finally {
          setInFlight((n) => n - 1);
        }
      };
    }
    return result as { [N in MutationName]: (args: MutationArgs[N]) => Promise<MutationResult> };
  }, [client]);
  return { ...wrapped, isPending: inFlight > 0, error, reset: () => setError(null) };
}

/** The client's health, re-rendered on status changes and metric updates. */
export function useRealtimeHealth(): Health {
  const health: HealthApi = usePlater().health;
  const latest = useRef<Health | null>(null);
  const subscribe = useCallback(
    (onChange: () => void) =>
      health.subscribe((next) => {
        latest.current = next;
        onChange();
      }),
    [health],
  );
  const snapshot = () => (latest.current ??= health.get());
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
