import { describe, expect, it } from 'vitest'
import type { CrewMember } from '../../../client/src/views/crew.ts'
import {
  rosterOf,
  signedEntries,
  SILENT_AFTER_MS,
  STALE_AFTER_MS,
  type Verdict,
} from '../../../console/src/screens/monitor/consoles.ts'

/** What the monitor makes of presence (console/src/screens/monitor/consoles.ts), with verdicts as the server gives them. */
const report = (at: number, screen = '/kds/grill') => ({
  screen,
  status: 'live',
  p95: 12,
  pending: 0,
  rollbacks: 0,
  reconnects: 0,
  at,
})
const gus = (at: number): Verdict => ({
  ok: true,
  user_id: 'u-gus',
  display_name: 'Gus',
  role: 'cook',
  report: report(at),
})
const meta = (claim: string, sig: string) => ({ ...report(1), claim, sig, presence_ref: 'F1' })

describe("the monitor's roster of consoles", () => {
  it('counts whatever is not a signed report, whatever its shape, and keeps one entry per signature', () => {
    const members = [
      {
        key: 'u-maya',
        metas: [{}, { role: 5 }, { name: { a: 1 } }, { name: 'Maya', role: 'manager' }, null, 'text', {
          ...report(1),
          claim: 'c',
        }],
      },
      { key: 'u-gus', metas: [meta('c-gus', 's1'), meta('c-gus', 's1')] },
      { key: 'u-x', metas: 'not a list' },
      null,
    ] as unknown as CrewMember[]
    const { entries, malformed } = signedEntries(members)
    expect(malformed).toBe(7)
    expect([...entries.keys()]).toEqual(['s1'])
    expect(entries.get('s1')).not.toHaveProperty('presence_ref')
    expect(signedEntries(undefined as unknown as CrewMember[])).toEqual({ entries: new Map(), malformed: 0 })
  })

  it('shows verified consoles by their verified names, one row per console (its newest report)', () => {
    const entries = new Map([['s1', { claim: 'c-gus' }], ['s2', { claim: 'c-gus' }], ['s3', {
      claim: 'c-maya',
    }], ['s4', { claim: 'c-x' }]])
    const checked = new Map<string, Verdict>([
      ['s1', gus(1_000)],
      ['s2', gus(16_000)], // the same console's next report; s1 is a copy kept in presence
      ['s3', {
        ok: true,
        user_id: 'u-maya',
        display_name: 'Maya',
        role: 'manager',
        report: report(5_000, '/monitor'),
      }],
      ['s4', { ok: false, reason: 'bad_signature' }],
    ])
    const seen = new Map([['s1', 0], ['s2', 15_000], ['s3', 5_000], ['s4', 5_000]])
    const roster = rosterOf(entries, 2, checked, seen, 20_000)
    expect(roster.consoles.map((row) => [row.display_name, row.sig])).toEqual([['Gus', 's2'], ['Maya', 's3']])
    expect(roster.ignored).toBe(2 + 1 + 1) // malformed, the superseded copy, the bad signature
  })

  it("stops showing a report nobody renewed (a console gone, or a copy kept alive), by this monitor's clock", () => {
    const entries = new Map([['s1', { claim: 'c-gus' }]])
    const checked = new Map<string, Verdict>([['s1', gus(999_999_999)]]) // whatever the report says its clock is
    const seen = new Map([['s1', 0]])
    expect(rosterOf(entries, 0, checked, seen, STALE_AFTER_MS).consoles).toHaveLength(1)
    expect(rosterOf(entries, 0, checked, seen, STALE_AFTER_MS + 1)).toEqual({ consoles: [], ignored: 1 })
  })

  it('shows a console whose report is overdue as silent, whatever it last said', () => {
    const entries = new Map([['s1', { claim: 'c-gus' }]])
    const checked = new Map<string, Verdict>([['s1', gus(0)]])
    const seen = new Map([['s1', 0]])
    expect(rosterOf(entries, 0, checked, seen, SILENT_AFTER_MS).consoles[0]).toMatchObject({
      status: 'live',
      ageMs: SILENT_AFTER_MS,
    })
    expect(rosterOf(entries, 0, checked, seen, SILENT_AFTER_MS + 1).consoles[0]).toMatchObject({
      status: 'silent',
    })
  })

  it('leaves entries being checked out of both the rows and the count', () => {
    expect(rosterOf(new Map([['s1', { claim: 'c' }]]), 0, new Map(), new Map(), 0)).toEqual({
      consoles: [],
      ignored: 0,
    })
  })
})
