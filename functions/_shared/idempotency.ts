// Idempotency-Key for every mutation (draft-ietf-httpapi-idempotency-key-header; Stripe's semantics).
//
//   first request           → runs; its answer (success, or a decided 4xx from the RPC) is stored with the key
//   retry after completion  → the stored answer again, with `Idempotent-Replayed: true`; nothing re-applied
//   retry while in flight   → 409 `idempotency_key_in_flight` (Retry-After: 1)
//   same key, other request → 422 `idempotency_key_reused`
//   any retry of a caller who is no longer active staff → 401 `not_staff` (as the RPC would answer): a stored
//                             answer is replayed only to someone who could still make the request
//
// Keys are scoped per user (primary key (user_id, key)), so one user can neither replay nor block another's.
// Retention: 24 hours from the first use (plater_private.prune_idempotency_keys; an older key is a new request).
//
// Race-freedom: the key row is written in the SAME transaction as the mutation, after taking a transaction-scoped
// advisory lock on (user, key). Holding the lock means "in flight"; a concurrent retry fails to take it and
// answers 409 at once instead of queueing. The lock and the uncommitted row vanish together if the transaction
// rolls back or the process dies, so a crash never leaves a stale "in flight" key and never a key without its
// mutation (or the reverse). Errors that are not a decided outcome (auth, transient, 5xx) roll the key back too:
// those are safe to retry with the same key.
import { HttpError } from './errors.ts'
import { sqlText } from './sql-text.ts'

export const IDEMPOTENCY_RETENTION_HOURS = 24
export const REPLAY_HEADER = 'idempotent-replayed'

/**
 * The key from the header: 1–255 visible ASCII characters. A Structured-Field string (`"…"`, as the draft
 * writes it) is unquoted, so `"abc"` and `abc` are the same key.
 */
export function parseIdempotencyKey(header: string | null): string {
  if (header === null || header.trim() === '') {
    throw new HttpError(
      400,
      'idempotency_key_required',
      'mutations need an Idempotency-Key header (e.g. a UUID)',
    )
  }
  let key = header.trim()
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1)
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new HttpError(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 1-255 visible ASCII characters',
    )
  }
  return key
}

/** JSON with object keys sorted at every level, so equal requests hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export interface RequestIdentity {
  method: string
  /** Function and path, e.g. `orders/<id>/items`. */
  target: string
  body: unknown
  /** The If-Match header as sent (it changes what the request means). */
  ifMatch: string | null
}

/** SHA-256 (hex) of the request's meaning: method, target, canonical body, If-Match. */
export async function requestFingerprint(request: RequestIdentity): Promise<string> {
  const text = canonicalJson({
    method: request.method,
    target: request.target,
    body: request.body,
    if_match: request.ifMatch,
  })
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

export interface StoredOutcome {
  status: number
  body: unknown
}

export type Claim =
  | { kind: 'fresh' }
  | { kind: 'in_flight' }
  | { kind: 'reused' }
  | { kind: 'not_staff' }
  | { kind: 'replay'; outcome: StoredOutcome }

export interface KeyRow {
  request_hash: string
  status_code: number | null
  response: unknown
  expired: boolean
}

export interface ClaimRow {
  /** The advisory lock on (user, key) was free: no other request with this key is running. */
  locked: boolean
  /** The key is ours now (new, or past retention and renewed): the mutation runs. */
  fresh: boolean
  /** The key's row as committed before this statement (null if none, or committed too late for its snapshot). */
  existing: KeyRow | null
  /** The caller is an active staff member (the RPC checks this itself; a replay skips the RPC, so it is read here). */
  caller_active: boolean
}

/** The transaction-local setting that tells the statements after the claim whether the mutation is to run. */
export const CLAIM_SETTING = 'plater.idempotency_claim'
/** The transaction-local setting that carries the mutation's result to the statement that stores it. */
export const OUTCOME_SETTING = 'plater.idempotency_outcome'

const lockKey = (userId: string, key: string) =>
  sqlText`hashtextextended('plater:idempotency:' || ${userId} || ':' || ${key}, 0)`

/**
 * One statement claiming `key` for `userId`, run as the connection's own role (the key table is not granted to
 * API roles). It takes the advisory lock on (user, key) without waiting, then inserts the key — or renews it
 * when it is past retention. ON CONFLICT sees committed rows whatever the statement's snapshot, so a key completed
 * a moment ago is never claimed twice. The verdict is also left in CLAIM_SETTING for the statements that follow.
 */
export function claimStatement(userId: string, key: string, hash: string): string {
  return `with lock as (select pg_try_advisory_xact_lock(${lockKey(userId, key)}) as locked),
claimed as (
  insert into plater_private.idempotency_keys as k (user_id, key, request_hash)
  select ${sqlText`${userId}::uuid, ${key}, ${hash}`} from lock where lock.locked
  on conflict (user_id, key) do update
     set request_hash = excluded.request_hash, status_code = null, response = null, created_at = now(),
         completed_at = null
   where k.created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})
  returning 1
)
select lock.locked, exists (select from claimed) as fresh, (${existingStatement(userId, key)}) as existing,
       exists (select from public.staff s where ${sqlText`s.user_id = ${userId}::uuid`} and s.active) as caller_active,
       set_config('${CLAIM_SETTING}', case when exists (select from claimed) then 'fresh' else 'taken' end, true)
         as claim_setting
  from lock;`
}

/** The key's row as JSON, with whether it is past retention. */
export function existingStatement(userId: string, key: string): string {
  return sqlText`select jsonb_build_object('request_hash', k.request_hash, 'status_code', k.status_code,
    'response', k.response, 'expired', k.created_at < now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS}))
    as existing from plater_private.idempotency_keys k where k.user_id = ${userId}::uuid and k.key = ${key}`
}

/**
 * The mutation, run only if the claim was fresh: its JSON result is returned as `result` and kept in
 * OUTCOME_SETTING for `storeResultStatement`. (`offset 0` keeps the call from being inlined twice.)
 */
export function gatedCallStatement(call: string): string {
  return `select set_config('${OUTCOME_SETTING}', coalesce(mutation.result::text, ''), true) as outcome_setting,
       mutation.result
  from (select case when current_setting('${CLAIM_SETTING}', true) = 'fresh' then ${call} end as result offset 0)
    as mutation;`
}

/** Stores the result left by `gatedCallStatement` on a fresh claim; run as the connection's own role. */
export function storeResultStatement(userId: string, key: string, status: number): string {
  return `update plater_private.idempotency_keys
   set status_code = ${status}, response = nullif(current_setting('${OUTCOME_SETTING}', true), '')::jsonb,
       completed_at = now()
 where ${sqlText`user_id = ${userId}::uuid and key = ${key}`}
   and current_setting('${CLAIM_SETTING}', true) = 'fresh';`
}

/** What a used key (one we hold the lock of, not renewed) means for a request with `hash` from this caller. */
export function decide(existing: KeyRow | null, hash: string, callerActive: boolean): Claim {
  // checked first: someone who may no longer act learns nothing about their keys
  if (!callerActive) return { kind: 'not_staff' }
  if (existing === null || existing.expired) return { kind: 'fresh' }
  if (existing.request_hash !== hash) return { kind: 'reused' }
  // A completed row always has a status (rows are committed completed); anything else must not replay.
  if (existing.status_code === null) return { kind: 'in_flight' }
  return { kind: 'replay', outcome: { status: existing.status_code, body: existing.response } }
}

/** Records a decided error as the key's outcome; run as the connection's own role. */
export function storeStatement(userId: string, key: string, outcome: StoredOutcome): string {
  return sqlText`update plater_private.idempotency_keys
     set status_code = ${outcome.status}, response = ${
    JSON.stringify(outcome.body ?? null)
  }::jsonb, completed_at = now()
   where user_id = ${userId}::uuid and key = ${key};`
}

export function claimError(claim: Claim): HttpError | undefined {
  if (claim.kind === 'not_staff') {
    // the words and code of the RPCs' own refusal (PT401), so a client handles both alike
    return new HttpError(401, 'not_staff', 'no active staff member for this user')
  }
  if (claim.kind === 'in_flight') {
    return new HttpError(
      409,
      'idempotency_key_in_flight',
      'a request with this Idempotency-Key is still being processed',
      undefined,
      { 'retry-after': '1' },
    )
  }
  if (claim.kind === 'reused') {
    return new HttpError(
      422,
      'idempotency_key_reused',
      'this Idempotency-Key was already used for a different request; use a new key for a new request',
    )
  }
  return undefined
}
