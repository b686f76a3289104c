import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { createContext, createElement, type ReactNode, useContext, useEffect, useState } from 'react';
import { type Health, type Session } from './live.ts';
import { usePlater } from '../../../client/src/react/index.ts';

/**
 * Every open console says how its realtime client is doing, in presence on the restaurant's `crew` topic (which
 * every active staff member may read and write), so the manager's monitor can list each connected client.
 * The client library has no presence API yet, so this joins `crew` with supabase-js's own socket (the
 * sign-in client's): one more WebSocket per console.
 */
export interface ConsolePresence {
  name: string;
  role: string;
  screen: string;
  status: Health['status'];
  p95: number | null;
  pending: number;
  rollbacks: number;
  reconnects: number;
  at: number;
}

// Supabase Realtime allows 5 presence calls per 30 s per channel: a report a second after the status changes
// (a start-up's connecting → degraded → live is one report), else every 15 s, and never a 5th within 30 s.
const WINDOW_MS = 30_000;
const CALLS_PER_WINDOW = 4;
const SETTLE_MS = 1_000;
const REFRESH_MS = 15_000;

const RosterContext = createContext<ConsolePresence[]>([]);

export function useCrewRoster(): ConsolePresence[] {
  return useContext(RosterContext);
}

export function CrewPresence({ auth, session, children }: { auth: SupabaseClient; session: Session; children: ReactNode }): ReactNode {
  const plater = usePlater();
  const [roster, setRoster] = useState<ConsolePresence[]>([]);
  const crew = session.scopes.find((scope) => scope.scope === 'crew')?.topic;

  useEffect(() => {
    if (!crew) return;
    let channel: RealtimeChannel | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dueAt = Infinity;
    let sent: number[] = [];
    let lastStatus: string | null = null;
    let live = true;
    /** The next report at `delayMs` from now (or when allowed), unless one is already due sooner. */
    const schedule = (delayMs: number) => {
      const now = Date.now();
      sent = sent.filter((at) => at > now - WINDOW_MS);
      const at = Math.max(now + delayMs, sent.length < CALLS_PER_WINDOW ? 0 : sent[0]! + WINDOW_MS);
      if (at >= dueAt) return;
      clearTimeout(timer);
      dueAt = at;
      timer = setTimeout(track, at - now);
    };
    const track = () => {
      dueAt = Infinity;
      const health = plater.health.get();
      const me: ConsolePresence = {
        name: session.staff.display_name,
        role: session.staff.role,
        screen: window.location.pathname,
        status: health.status,
        p95: health.latencyMs.p95,
        pending: health.pendingMutations,
        rollbacks: health.rollbacks,
        reconnects: health.reconnects,
        at: Date.now(),
      };
      sent.push(me.at);
      lastStatus = me.status;
      void channel?.track(me);
      schedule(REFRESH_MS);
    };
    const unsubscribeHealth = plater.health.subscribe((health) => {
      if (channel && health.status !== lastStatus) schedule(SETTLE_MS);
    });
    void (async () => {
      const token = (await auth.auth.getSession()).data.session?.access_token;
      if (!live || !token) return;
      await auth.realtime.setAuth(token);
      channel = auth.channel(crew, { config: { private: true, presence: { key: `${session.user_id}:${crypto.randomUUID()}` } } });
      channel
        .on('presence', { event: 'sync' }, () => {
          const state = channel!.presenceState<ConsolePresence>();
          setRoster(Object.values(state).flatMap((metas) => metas.map(({ presence_ref: _ref, ...meta }) => meta)));
        })
        .subscribe((status) => {
          if (status === 'SUBSCRIBED') schedule(SETTLE_MS);
        });
    })();
    return () => {
      live = false;
      clearTimeout(timer);
      unsubscribeHealth();
      if (channel) void auth.removeChannel(channel);
    };
  }, [auth, crew, plater, session]);

  return createElement(RosterContext.Provider, { value: roster }, children);
}
