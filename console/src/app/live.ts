// PROVISIONAL until client/ lands on main: the hooks the screens use, over the client's React bindings.
import { createContext, useContext } from 'react';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ReactNode } from 'react';
import type { ConsoleConfig } from './config.ts';
import type { ExpoView, FloorView, HealthSnapshot, KdsView, MenuItem, ServerView, SessionInfo } from './plater.ts';

export type ScopeKey = { scope: 'kds'; stationId: string } | { scope: 'expo' } | { scope: 'server' } | { scope: 'floor' };
type ViewOf<K extends ScopeKey> = K extends { scope: 'kds' }
  ? KdsView
  : K extends { scope: 'expo' }
    ? ExpoView
    : K extends { scope: 'server' }
      ? ServerView
      : FloorView;

export interface Mutations {
  startItem(input: { itemId: string }): Promise<unknown>;
  finishItem(input: { itemId: string }): Promise<unknown>;
  recallItem(input: { itemId: string }): Promise<unknown>;
  bumpTicket(input: { orderId: string; stationId: string }): Promise<unknown>;
  placeOrder(input: { tableId: string; items: unknown[]; note?: string }): Promise<unknown>;
  addItems(input: { orderId: string; items: unknown[] }): Promise<unknown>;
  fireCourse(input: { orderId: string; course: number }): Promise<unknown>;
  holdCourse(input: { orderId: string; course: number }): Promise<unknown>;
  cancelOrder(input: { orderId: string; reason?: string }): Promise<unknown>;
  serveOrder(input: { orderId: string }): Promise<unknown>;
  seatTable(input: { tableId: string; partySize: number }): Promise<unknown>;
  clearTable(input: { tableId: string }): Promise<unknown>;
  setRush(input: { orderId: string; rush: boolean }): Promise<unknown>;
}

export const SessionContext = createContext<{ session: SessionInfo; menu: MenuItem[] } | null>(null);

export function useSession(): SessionInfo {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in console');
  return value.session;
}

export function useMenu(): MenuItem[] {
  return useContext(SessionContext)?.menu ?? [];
}

const missing = () => {
  throw new Error('the client library has not landed yet');
};

export function useScope<K extends ScopeKey>(_key: K): { view: ViewOf<K> | undefined; status: string } {
  return missing();
}
export function useMutations(): Mutations {
  return missing();
}
export function useRealtimeHealth(): HealthSnapshot {
  return missing();
}

/** Provides the client (one per signed-in user), the /session answer and the menu to the screens. */
export function LiveProvider(_props: { config: ConsoleConfig; auth: SupabaseClient; userId: string; children: ReactNode }): ReactNode {
  return missing();
}
