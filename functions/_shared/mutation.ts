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
import { authenticate, requireUser } from './auth.ts'
import { actAs, db, resultSets, type Rows, rowsWith, transaction } from './db.ts'
import type { z } from './deps.ts'
import { fromDatabaseError, HttpError, isStorableOutcome } from './errors.ts'
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

export interface MutationSpec<P extends z.ZodType, B extends z.ZodType> {
  /** Function name, part of the request fingerprint. */
  fn: string
  params: P
  body: B
  /** False for RPCs without an expected version (place_order, bump_ticket): If-Match is refused there. */
  versioned: boolean
  /** The RPC call as an SQL expression (sql-text.ts) whose value is the RPC's JSON, e.g. `public.start_item(…)`. */
  call: (input: MutationInput<z.output<P>, z.output<B>>) => string
  /** The response body made of the RPC's result (default: as is); applied to replays too. */
  shape?: (result: Json) => Json
  /** Success status (201 for a created order). */
  status?: number
  /** The entity whose version becomes the response's ETag, e.g. `item` for `{item: {...}}`. */
  etagOf?: string
}

function etagHeader(entityName: string | undefined, status: number, body: unknown): Record<string, string> {
  if (!entityName || status >= 300 || typeof body !== 'object' || body === null) return {}
  const entity = (body as Record<string, unknown>)[entityName] as { version?: unknown } | undefined
  return typeof entity?.version === 'number' ? { etag: versionEtag(entity.version) } : {}
}

type Outcome =
  | { kind: 'done'; outcome: StoredOutcome; replayed: boolean }
  | { kind: 'refused'; error: HttpError }

export function mutation<P extends z.ZodType, B extends z.ZodType>(spec: MutationSpec<P, B>): RouteHandler {
  return async ({ req, params, path }: RouteContext) => {
    const caller = requireUser(await authenticate(req))
    const key = parseIdempotencyKey(req.headers.get('idempotency-key'))
    const raw = await readJsonObject(req)
    const parsedParams = validate(spec.params, params, 'path')
    const body = validate(spec.body, raw)

    const ifMatchHeader = req.headers.get('if-match')
    const ifMatch = parseIfMatch(ifMatchHeader)
    if (ifMatch !== undefined && !spec.versioned) {
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
      target: `${spec.fn}${path}`,
      body: raw,
      ifMatch: ifMatchHeader,
    })
    const user = caller.sub
    const status = spec.status ?? 200

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
        resultSets(await db().unsafe(`${existingStatement(user, key)};`))[0]?.[0]?.existing as
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
