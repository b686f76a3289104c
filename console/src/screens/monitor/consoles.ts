import { useEffect, useRef, useState } from 'react'
import * as z from 'zod/mini'
import type { CallFunction } from '../../app/functions.ts'
import type { CrewMember } from '../../app/types.ts'
import { REPORT_EVERY_MS } from '../../app/presence-proof.ts'

/**
 * The restaurant's open consoles for the manager's monitor, from presence on the crew topic — which any staff
 * member may write anything into. So nothing there is shown as it came: each entry must be a signed report
 * (app/presence-proof.ts) that the server verifies (functions/presence) — its name and role are the staff row
 * of the user the claim was issued to — and whatever is not is counted, never rendered.
 */
const report = z.object({
  screen: z.string(),
  status: z.string(),
  p95: z.nullable(z.number()),
  pending: z.number(),
  rollbacks: z.number(),
  reconnects: z.number(),
  at: z.number(),
})
/** A signed report as it sits in presence (other fields, e.g. Realtime's `presence_ref`, are left out). */
const signed = z.object({
  ...report.shape,
  claim: z.string().check(z.maxLength(2048)),
  sig: z.string().check(z.maxLength(128)),
})
type SignedEntry = z.infer<typeof signed>

const verdict = z.union([
  z.object({ ok: z.literal(true), user_id: z.string(), display_name: z.string(), role: z.string(), report }),
  z.object({ ok: z.literal(false), reason: z.string() }),
])
const verdicts = z.object({ entries: z.array(verdict) })
export type Verdict = z.infer<typeof verdict>
export type VerifiedConsole = Extract<Verdict, { ok: true }> & {
  sig: string
  /** Since this monitor first saw the report (each is re-signed when sent, so: since the console last spoke). */
  ageMs: number
  /** The console's own status, or `silent` once a report is overdue: a console that lost its network cannot
   * say so, and its last word ("live") must not stand for long. */
  status: string
}

/** A console renews its report every REPORT_EVERY_MS; one not renewed for three of those has gone (or is a copy). */
export const STALE_AFTER_MS = 3 * REPORT_EVERY_MS
/** A report overdue by half an interval: the console is shown `silent` until it reports again or goes stale. */
export const SILENT_AFTER_MS = 1.5 * REPORT_EVERY_MS
/** New entries are checked together, at most this often. */
const VERIFY_BATCH_MS = 300

export interface ConsoleRoster {
  consoles: VerifiedConsole[]
  /** Presence entries not shown: malformed, unverifiable, of someone not (or no longer) staff, or stale. */
  ignored: number
}

/** The entries' signed reports, once per signature (an exact copy of another console's report is the same entry). */
export function signedEntries(
  members: readonly CrewMember[],
): { entries: Map<string, SignedEntry>; malformed: number } {
  const entries = new Map<string, SignedEntry>()
  let malformed = 0
  for (const member of Array.isArray(members) ? members : []) {
    for (const meta of Array.isArray(member?.metas) ? member.metas : []) {
      const parsed = signed.safeParse(meta)
      if (!parsed.success) malformed++
      else entries.set(parsed.data.sig, parsed.data)
    }
  }
  return { entries, malformed }
}

export function useVerifiedConsoles(
  members: readonly CrewMember[],
  call: CallFunction,
  now: number,
): ConsoleRoster {
  const { entries, malformed } = signedEntries(members)
  const [checked, setChecked] = useState<ReadonlyMap<string, Verdict>>(new Map())
  const firstSeen = useRef(new Map<string, number>())
  const asked = useRef(new Set<string>())
  const current = useRef(entries)
  current.current = entries
  for (const sig of [...firstSeen.current.keys()]) {
    if (!entries.has(sig)) {
      firstSeen.current.delete(sig)
      asked.current.delete(sig)
    }
  }
  const unchecked = [...entries.keys()].filter((sig) => !asked.current.has(sig))
  const key = unchecked.join(' ')

  useEffect(() => {
    if (unchecked.length === 0) return
    const timer = setTimeout(() => {
      const batch = unchecked.map((sig) => entries.get(sig)!)
      for (const entry of batch) asked.current.add(entry.sig)
      call('presenceVerify', {
        entries: batch.map(({ claim, sig, ...said }) => ({ claim, sig, report: said })),
      }).then(
        (answer) => {
          const parsed = verdicts.safeParse(answer)
          const list = parsed.success && parsed.data.entries.length === batch.length
            ? parsed.data.entries
            : null
          setChecked((all) => {
            // only what is still in presence is kept: a console re-signs every few seconds all service long
            const next = new Map([...all].filter(([sig]) => current.current.has(sig)))
            batch.forEach((entry, index) =>
              next.set(entry.sig, list?.[index] ?? { ok: false, reason: 'unanswered' })
            )
            return next
          })
        },
        // not verified now (the functions are unreachable): asked again when presence next changes
        () => batch.forEach((entry) => asked.current.delete(entry.sig)),
      )
    }, VERIFY_BATCH_MS)
    return () => clearTimeout(timer)
    // `key` stands for the unchecked signatures; the entries behind them do not change
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, call])

  for (const sig of entries.keys()) if (!firstSeen.current.has(sig)) firstSeen.current.set(sig, now)
  return rosterOf(entries, malformed, checked, firstSeen.current, now)
}

/**
 * The rows to show: verified reports renewed within STALE_AFTER_MS (by when this monitor first saw each
 * signature, so no console's clock matters), one per console — per claim, its newest report: an older one still
 * in presence is a copy someone re-tracked. Everything else is counted as ignored; entries still being checked
 * are neither.
 */
export function rosterOf(
  entries: ReadonlyMap<string, { claim: string }>,
  malformed: number,
  checked: ReadonlyMap<string, Verdict>,
  firstSeen: ReadonlyMap<string, number>,
  now: number,
): ConsoleRoster {
  const newest = new Map<string, VerifiedConsole>()
  let ignored = malformed
  for (const [sig, entry] of entries) {
    const result = checked.get(sig)
    if (!result) continue
    const ageMs = now - (firstSeen.get(sig) ?? now)
    if (!result.ok || ageMs > STALE_AFTER_MS) {
      ignored++
      continue
    }
    const held = newest.get(entry.claim)
    if (held) ignored++
    const status = ageMs > SILENT_AFTER_MS ? 'silent' : result.report.status
    if (!held || held.report.at < result.report.at) newest.set(entry.claim, { ...result, sig, ageMs, status })
  }
  const consoles = [...newest.values()]
  consoles.sort((a, b) => a.role.localeCompare(b.role) || a.display_name.localeCompare(b.display_name))
  return { consoles, ignored }
}
