// Presence identity for the console's Connected consoles (claim.ts says why and how):
//   POST /presence/claim   {key: P-256 public JWK}                 → {claim, expires_at}         active staff
//   POST /presence/verify  {entries: [{claim, sig, report}] (≤ 200)} → {entries: [{ok, …}]}       managers
// `verify` answers, per entry and in order, `{ok: true, user_id, display_name, role, station_id, report}` — the
// name and role from the staff row as it is now, `report` as signed — or `{ok: false, reason}`.
import { authenticate, requireUser } from '../_shared/auth.ts'
import { readAs } from '../_shared/db.ts'
import { z } from '../_shared/deps.ts'
import { HttpError } from '../_shared/errors.ts'
import { json, readJsonObject } from '../_shared/http.ts'
import { functionHandler } from '../_shared/routes.ts'
import { sqlText } from '../_shared/sql-text.ts'
import { validate } from '../_shared/validate.ts'
import { CLAIM_TTL_SECONDS, CLAIM_VERSION, issueClaim, openClaim, type Refusal, signedBy } from './claim.ts'
import { signedText } from '@plater/contract/presence.ts'
import { presenceReport as report, REQUESTS } from '@plater/contract/requests.ts'

interface Me {
  user_id: string
  restaurant_id: string
  role: string
}

async function me(req: Request) {
  const caller = requireUser(await authenticate(req))
  const [row] = await readAs<{ body: { staff: Me } }>(caller, 'select public.staff_session() as body;')
  return { caller, staff: row!.body.staff }
}

type Verdict =
  | {
    ok: true
    user_id: string
    display_name: string
    role: string
    station_id: string | null
    report: z.output<typeof report>
  }
  | { ok: false; reason: Refusal | 'other_restaurant' | 'not_staff' }

export const handler = functionHandler('presence', {
  presenceClaim: async ({ req }) => {
    const body = validate(REQUESTS.presenceClaim.body, await readJsonObject(req))
    const { staff } = await me(req)
    const exp = Math.floor(Date.now() / 1000) + CLAIM_TTL_SECONDS
    const claim = await issueClaim({
      v: CLAIM_VERSION,
      sub: staff.user_id,
      restaurant: staff.restaurant_id,
      key: body.key,
      exp,
    })
    return json(200, { claim, expires_at: exp * 1000 })
  },
  presenceVerify: async ({ req }) => {
    const body = validate(REQUESTS.presenceVerify.body, await readJsonObject(req))
    const { caller, staff } = await me(req)
    if (staff.role !== 'manager') {
      throw new HttpError(403, 'forbidden', "only a manager may verify the crew's consoles")
    }
    const now = Math.floor(Date.now() / 1000)
    const checked = await Promise.all(body.entries.map(async (entry) => {
      const claim = await openClaim(entry.claim, now)
      if (typeof claim === 'string') return claim
      if (claim.restaurant !== staff.restaurant_id) return 'other_restaurant'
      const checkedReport = report.safeParse(entry.report)
      if (!checkedReport.success) return 'malformed'
      if (!(await signedBy(claim.key, signedText(checkedReport.data), entry.sig))) return 'bad_signature'
      return { sub: claim.sub, report: checkedReport.data }
    }))
    const users = [...new Set(checked.flatMap((entry) => typeof entry === 'string' ? [] : [entry.sub]))]
    // as the manager: RLS shows them their own restaurant's staff only
    const rows = users.length === 0
      ? []
      : await readAs<{ user_id: string; display_name: string; role: string; station_id: string | null }>(
        caller,
        sqlText`select s.user_id, s.display_name, s.role, s.station_id
                  from jsonb_array_elements_text(${users}::jsonb) u (id)
                  join public.staff s on s.user_id = u.id::uuid
                 where s.active;`,
      )
    const byUser = new Map(rows.map((row) => [row.user_id, row]))
    const entries: Verdict[] = checked.map((entry) => {
      if (typeof entry === 'string') return { ok: false, reason: entry }
      const row = byUser.get(entry.sub)
      return row ? { ok: true, ...row, report: entry.report } : { ok: false, reason: 'not_staff' }
    })
    return json(200, { entries })
  },
})
