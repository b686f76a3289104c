// deno-lint-ignore-file no-window -- browser code: `window` is the page's global (the rules are for Deno, which has none)
import { type ReactNode, useEffect, useRef } from 'react'
import { useCrew, usePlater } from 'plater-realtime/react'
import { useFunctions } from './functions.ts'
import type { Health } from './live.ts'
import { createPresenceSigner, REPORT_EVERY_MS } from './presence-proof.ts'

/**
 * What every open console says about its realtime client, in presence on the restaurant's `crew` topic, so the
 * manager's monitor can list each connected client. No name or role: who a console is comes from the claim
 * signed with it (presence-proof.ts), which the server checks (functions/presence, `report` there is this).
 */
export interface ConsoleReport {
  screen: string
  status: Health['status']
  p95: number | null
  pending: number
  rollbacks: number
  reconnects: number
  /** This console's clock, epoch ms. */
  at: number
}

// Supabase Realtime allows 5 presence calls per 30 s per channel: a report a second after the status changes
// (a start-up's connecting → degraded → live is one report), else every 15 s, and never a 5th within 30 s.
const WINDOW_MS = 30_000
const CALLS_PER_WINDOW = 4
const SETTLE_MS = 1_000

export function CrewPresence({ children }: { children: ReactNode }): ReactNode {
  const plater = usePlater()
  const call = useFunctions()
  const { track } = useCrew()
  // the latest track (it changes once the crew scope is open); the schedule below outlives it
  const tracker = useRef(track)
  useEffect(() => {
    tracker.current = track
  }, [track])

  useEffect(() => {
    const signer = createPresenceSigner(call)
    let timer: ReturnType<typeof setTimeout> | undefined
    let dueAt = Infinity
    let sent: number[] = []
    let lastStatus: string | null = null
    /** The next report at `delayMs` from now (or when allowed), unless one is already due sooner. */
    const schedule = (delayMs: number) => {
      const now = Date.now()
      sent = sent.filter((at) => at > now - WINDOW_MS)
      const at = Math.max(now + delayMs, sent.length < CALLS_PER_WINDOW ? 0 : sent[0]! + WINDOW_MS)
      if (at >= dueAt) return
      clearTimeout(timer)
      dueAt = at
      timer = setTimeout(report, at - now)
    }
    const report = () => {
      dueAt = Infinity
      const health = plater.health.get()
      const me: ConsoleReport = {
        screen: window.location.pathname,
        status: health.status,
        p95: health.latencyMs.p95,
        pending: health.pendingMutations,
        rollbacks: health.rollbacks,
        reconnects: health.reconnects,
        at: Date.now(),
      }
      sent.push(me.at)
      lastStatus = me.status
      // a console that cannot sign (no claim yet: the functions are unreachable) says nothing rather than
      // something unverifiable; the next report tries again
      void signer.sign(me).then((signed) => tracker.current({ ...signed }), () => {})
      schedule(REPORT_EVERY_MS)
    }
    const unsubscribeHealth = plater.health.subscribe((health) => {
      if (health.status !== lastStatus) schedule(SETTLE_MS)
    })
    schedule(SETTLE_MS)
    return () => {
      clearTimeout(timer)
      unsubscribeHealth()
    }
  }, [plater, call])

  return children
}
