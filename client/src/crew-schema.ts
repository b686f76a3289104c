import { type Status, STATUSES } from './status.ts'

/**
 * What other clients put on the crew topic is untrusted input: any staff member can track any presence meta
 * and broadcast anything there with two lines of supabase-js. The schemas below decide what reaches a view; an
 * entry that does not match is dropped (and counted in `health.crewRejected`), so a consumer can rely on the
 * types below and never meets `{role: 5}`.
 *
 * Written as field tables rather than with a schema library: the checks are a handful of types and lengths, and
 * zod (even its mini build) would be a quarter of what an app bundles for this client.
 */

/** A console's presence, as it may be shown (see `presenceMeta`). */
export interface PresenceMeta {
  screen: string
  status?: Status
  /** What that client *says*: show identity from the server-verified staff row of the member instead. */
  name?: string
  role?: string
  p95?: number | null
  pending?: number
  rollbacks?: number
  reconnects?: number
  at?: number
  /** A server-signed identity claim and this report's signature (functions/presence): what the monitor verifies. */
  claim?: string
  sig?: string
}

type Check = (value: unknown) => boolean

const text = (min: number, max: number): Check => (value) =>
  typeof value === 'string' && value.length >= min && value.length <= max
const finite: Check = (value) => typeof value === 'number' && Number.isFinite(value)
const count: Check = (value) => Number.isSafeInteger(value) && (value as number) >= 0
const nonNegative: Check = (value) => finite(value) && (value as number) >= 0
const orNull = (check: Check): Check => (value) => value === null || check(value)
const oneOf = (values: readonly unknown[]): Check => (value) => values.includes(value)

/** A presence meta's fields: each optional but `screen`. Fields not listed are dropped: add them here to pass them on. */
const PRESENCE_FIELDS: Record<keyof PresenceMeta, Check> = {
  screen: text(0, 200),
  status: oneOf(STATUSES),
  name: text(0, 100),
  role: text(0, 40),
  p95: orNull(nonNegative),
  pending: count,
  rollbacks: count,
  reconnects: count,
  at: finite,
  claim: text(0, 2048),
  sig: text(0, 128),
}
const REQUIRED: ReadonlySet<string> = new Set(['screen'])

/** Broadcast payloads by event (each field required); an event not listed here must still carry a JSON object. */
const CREW_EVENTS: Record<string, Record<string, Check>> = {
  notice: { text: text(1, 1000) },
}
const eventName = text(1, 100)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The listed fields of `value` if every present one passes (and every required one is present), else `null`. */
function pick(
  value: unknown,
  fields: Record<string, Check>,
  required: ReadonlySet<string>,
): Record<string, unknown> | null {
  if (!isRecord(value)) return null
  const out: Record<string, unknown> = {}
  for (const [field, check] of Object.entries(fields)) {
    const present = Object.hasOwn(value, field) && value[field] !== undefined
    if (!present) {
      if (required.has(field)) return null
      continue
    }
    if (!check(value[field])) return null
    out[field] = value[field]
  }
  return out
}

/** A broadcast's payload if it matches its event's schema, else `null`. */
export function crewPayload(event: unknown, payload: unknown): Record<string, unknown> | null {
  if (!eventName(event)) return null
  const fields = CREW_EVENTS[event as string]
  if (!fields) return isRecord(payload) ? payload : null
  return pick(payload, fields, new Set(Object.keys(fields)))
}

/** A presence meta if it matches, else `null` (Supabase's `presence_ref` is dropped with any unknown field). */
export function presenceMeta(meta: unknown): PresenceMeta | null {
  return pick(meta, PRESENCE_FIELDS, REQUIRED) as PresenceMeta | null
}
