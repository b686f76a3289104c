// The one pipeline every mutation goes through:
//   token → Idempotency-Key → JSON body → zod (path + body) → expected version (If-Match or body)
//   → ONE transaction, in ONE round trip when it succeeds:
//       begin; claim the key (advisory lock on (user, key) + insert, verdict in a local setting);
//       act as the caller; savepoint; the RPC — only if the claim is fresh; release the savepoint;
//       reset role; store the RPC's result on the key; commit
//     A decided refusal from the RPC (PT400/403/404/409/422) costs a second round trip: roll back to the
//     savepoint, store the refusal on the key, commit. Anything else rolls the whole transaction back.
//   → the answer (replays carry `Idempotent-Replayed: true`).
// The restaurant lock the RPC takes is thus held only while the database itself works, never across a network
// round trip to this function.
//
// A connection that breaks after the statements were sent leaves the outcome unknown (the COMMIT may have taken
// effect): the key is asked what happened (`settle`), so a request that was applied is answered as applied, never
// with a 503. Only when the database stays unreachable for DB_LIMITS.roundTripMs does that answer become 503 — and
// a retry with the same Idempotency-Key is always safe: it answers what was stored, or applies the request once.
import { authenticate, requireUser } from './auth.ts'
import {
  actAs,
  db,
  DB_LIMITS,
  lastSelect,
  query,
  resultSets,
  roundTrip,
  type Rows,
  rowsWith,
  transaction,
} from './db.ts'
import { REQUESTS } from '@plater/contract/requests.ts'
import { type RouteName, ROUTES } from '@plater/contract/routes.ts'
import type { z } from './deps.ts'
import { DatabaseUnavailableError, fromDatabaseError, HttpError, isStorableOutcome } from './errors.ts'
import { parseIfMatch, versionEtag } from './etag.ts'
import type { RouteContext, RouteHandler } from './http.ts'
import { json, readJsonObject } from './http.ts'
import {
  claimError,
  type ClaimRow,
  claimStatement,
  decide,
  existingStatement,
  gatedCallStatement,
  type KeyRow,
  parseIdempotencyKey,
  REPLAY_HEADER,
  requestFingerprint,
  type SettledRow,
  settledStatement,
  type StoredOutcome,
  storeResultStatement,
  storeStatement,
} from './idempotency.ts'
import { validate } from './validate.ts'

export interface MutationInput<P, B> {
  params: P
  body: B
  /** From If-Match or the body's `expected_version`; null = unconditional. */
  expectedVersion: number | null
}

type Json = Record<string, unknown>

/** The routes that are mutations (Idempotency-Key, expected version, one transaction). */
export type MutationRoute = {
  [R in RouteName]: typeof ROUTES[R]['mutation'] extends true ? R : never
}[RouteName]

type ParamsOf<R extends MutationRoute> = z.output<typeof REQUESTS[R]['params']>
type BodyOf<R extends MutationRoute> = z.output<typeof REQUESTS[R]['body']>

/** What a mutation adds to its route (whose function, path, schemas and success status are the contract's). */
export interface MutationSpec<R extends MutationRoute> {
  /** The RPC call as an SQL expression (sql-text.ts) whose value is the RPC's JSON, e.g. `public.start_item(…)`. */
  call: (input: MutationInput<ParamsOf<R>, BodyOf<R>>) => string
  /** The response body made of the RPC's result (default: as is); applied to replays too. */
  shape?: (result: Json) => Json
  /** The entity whose version becomes the response's ETag, e.g. `item` for `{item: {...}}`. */
  etagOf?: string
}

/**
 * Whether the route takes an expected version (its body has `expected_version`); place_order and bump_ticket
 * have none, and If-Match is refused there.
 */
function isVersioned(route: MutationRoute): boolean {
  return 'expected_version' in (REQUESTS[route].body as z.ZodObject).shape
}

function etagHeader(entityName: string | undefined, status: number, body: unknown): Record<string, string> {
  if (!entityName || status >= 300 || typeof body !== 'object' || body === null) return {}
  const entity = (body as Record<string, unknown>)[entityName] as { version?: unknown } | undefined
  return typeof entity?.version === 'number' ? { etag: versionEtag(entity.version) } : {}
}

type Outcome =
  | { kind: 'done'; outcome: StoredOutcome; replayed: boolean }
  | { kind: 'refused'; error: HttpError }

export function mutation<R extends MutationRoute>(route: R, spec: MutationSpec<R>): RouteHandler {
  const { fn, status } = ROUTES[route]
  // the indexed access loses the link between R and its schemas; their types are derived from REQUESTS itself
  const schemas = REQUESTS[route] as unknown as { params: z.ZodType<ParamsOf<R>>; body: z.ZodType<BodyOf<R>> }
  const versioned = isVersioned(route)
  return async ({ req, params, path }: RouteContext) => {
    const caller = requireUser(await authenticate(req))
    const key = parseIdempotencyKey(req.headers.get('idempotency-key'))
    const raw = await readJsonObject(req)
    const parsedParams = validate(schemas.params, params, 'path')
    const body = validate(schemas.body, raw)

    const ifMatchHeader = req.headers.get('if-match')
    const ifMatch = parseIfMatch(ifMatchHeader)
    if (ifMatch !== undefined && !versioned) {
      throw new HttpError(
        400,
        'if_match_not_supported',
        'this operation has no version to match; omit If-Match',
      )
    }
    const bodyVersion = (body as { expected_version?: number }).expected_version
    const headerVersion = typeof ifMatch === 'number' ? ifMatch : undefined
    if (headerVersion !== undefined && bodyVersion !== undefined && headerVersion !== bodyVersion) {
      throw new HttpError(400, 'invalid_request', 'If-Match and expected_version disagree; send one of them')
    }
    const usedIfMatch = headerVersion !== undefined
    const input = { params: parsedParams, body, expectedVersion: headerVersion ?? bodyVersion ?? null }
    const call = spec.call(input)
    const hash = await requestFingerprint({
      method: req.method,
      target: `${fn}${path}`,
      body: raw,
      ifMatch: ifMatchHeader,
    })
    const user = caller.sub

    const result = await transaction(async (tx): Promise<Outcome> => {
      let sets: Rows[]
      try {
        sets = await tx.send(
          [
            claimStatement(user, key, hash),
            actAs(caller),
            'savepoint mutation;',
            gatedCallStatement(call),
            'release savepoint mutation;',
            'reset role;',
            storeResultStatement(user, key, status),
            'commit;',
          ].join('\n'),
          { commits: true },
        )
      } catch (error) {
        // Only the RPC raises a project SQLSTATE, and it runs only on a fresh claim: a decided refusal is the
        // request's answer and is stored with the key. Anything else rolls back everything (the key included), so
        // a retry runs again.
        if (!isStorableOutcome(error)) throw error
        const http = fromDatabaseError(error, { ifMatch: usedIfMatch })!
        const refusal = { status: http.status, body: http.body }
        await tx.send(
          `rollback to savepoint mutation;\nreset role;\n${storeStatement(user, key, refusal)}\ncommit;`,
          {
            commits: true,
          },
        )
        return { kind: 'done', outcome: refusal, replayed: false }
      }

      const [claim] = rowsWith<ClaimRow>(sets, 'fresh')!
      if (claim!.fresh) {
        const [row] = rowsWith<{ result: Json }>(sets, 'result')!
        return { kind: 'done', outcome: { status, body: row!.result }, replayed: false }
      }
      if (!claim!.locked) return { kind: 'refused', error: claimError({ kind: 'in_flight' })! }
      // Used before: replay, or refuse. The row may have committed after the claim's snapshot: read it again then.
      const existing = claim!.existing ??
        resultSets(await query(`${existingStatement(user, key)};`))[0]?.[0]?.existing as
          | KeyRow
          | null ??
        null
      const decision = decide(existing, hash, claim!.caller_active)
      if (decision.kind === 'replay') return { kind: 'done', outcome: decision.outcome, replayed: true }
      // 'fresh' here means the row vanished meanwhile (pruned): the client's retry will be fresh
      return {
        kind: 'refused',
        error: claimError(decision.kind === 'fresh' ? { kind: 'in_flight' } : decision)!,
      }
    }).catch((error: unknown) => {
      if (error instanceof DatabaseUnavailableError && error.sent) return settle(user, key, hash, error)
      throw error
    })

    if (result.kind === 'refused') throw result.error
    const { outcome, replayed } = result
    // the key stores what the RPC answered; the response shape is applied on the way out, replays included
    const answer = outcome.status < 300 && spec.shape ? spec.shape(outcome.body as Json) : outcome.body
    return json(outcome.status, answer, {
      ...etagHeader(spec.etagOf, outcome.status, answer),
      ...(replayed ? { [REPLAY_HEADER]: 'true' } : {}),
    })
  }
}

const SETTLE_POLL_MS = 250

/**
 * What became of a request whose connection failed after its statements were sent. Once the key's transaction has
 * ended (its lock is free): a stored answer is this request's answer; no row means nothing was applied (503, retry).
 * While the database restarts, asks again until DB_LIMITS.roundTripMs has passed.
 */
async function settle(
  user: string,
  key: string,
  hash: string,
  failure: DatabaseUnavailableError,
): Promise<Outcome> {
  const deadline = Date.now() + DB_LIMITS.roundTripMs
  for (let left = DB_LIMITS.roundTripMs; left > 0; left = deadline - Date.now()) {
    try {
      const [row] = lastSelect<SettledRow>(
        await roundTrip(() => db().unsafe(settledStatement(user, key)), left),
      )
      if (row!.settled) {
        const decision = decide(row!.existing, hash, row!.caller_active)
        if (decision.kind === 'replay') return { kind: 'done', outcome: decision.outcome, replayed: false }
        if (decision.kind === 'fresh') {
          throw fromDatabaseError(
            new DatabaseUnavailableError(`${failure.message}; nothing was applied`, false),
          )!
        }
        return { kind: 'refused', error: claimError(decision)! }
      }
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError)) throw error
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(SETTLE_POLL_MS, Math.max(0, deadline - Date.now())))
    )
  }
  throw new HttpError(
    503,
    'retry_later',
    'the database connection broke while the request was committing; retry with the same Idempotency-Key: ' +
      'that is always safe (it answers what was applied, or applies the request once)',
    undefined,
    { 'retry-after': '1' },
    { cause: failure },
  )
}
