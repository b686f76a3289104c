import { createContext, createElement, type ReactNode, useContext, useEffect, useState } from 'react';
import { usePlater } from '../../../client/src/react/index.ts';
import type { Health, Session } from './live.ts';

/**
 * Every open console says how its realtime client is doing, in presence on the restaurant's `crew` topic (which
 * every active staff member may read and write), through the client's crew scope on its one socket, so the
 * manager's monitor can list each connected client.
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

export function CrewPresence({ session, children }: { session: Session; children: ReactNode }): ReactNode {
  const plater = usePlater();
  const [roster, setRoster] = useState<ConsolePresence[]>([]);

  useEffect(() => {
    const crew = plater.open({ scope: 'crew' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dueAt = Infinity;
    let sent: number[] = [];
    let lastStatus: string | null = null;
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
      void crew.track({ ...me });
      schedule(REFRESH_MS);
    };
    const unsubscribeHealth = plater.health.subscribe((health) => {
      if (health.status !== lastStatus) schedule(SETTLE_MS);
    });
    const unsubscribeCrew = crew.subscribe(() => {
      setRoster(crew.getView().members.flatMap((member) => member.metas as unknown as ConsolePresence[]));
    });
    schedule(SETTLE_MS);
    return () => {
      clearTimeout(timer);
      unsubscribeHealth();
      unsubscribeCrew();
      crew.release();
    };
  }, [plater, session]);

  return createElement(RosterContext.Provider, { value: roster }, children);
}
