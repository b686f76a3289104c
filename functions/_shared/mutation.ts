// The one pipeline every mutation goes through:
//   token → Idempotency-Key → JSON body → zod (path + body) → expected version (If-Match or body)
//   → ONE transaction, three round trips:
//       1. begin; claim the key (advisory lock on (user, key) + insert)
//       2. act as the caller; savepoint; the RPC
//       3. release (or, for a decided error, roll back to) the savepoint; reset role; store the outcome; commit
//   → the answer (replays carry `Idempotent-Replayed: true`).
import { authenticate, requireUser } from './auth.ts'
import { actAs, transaction } from './db.ts'
import type { z } from './deps.ts'
import { fromDatabaseError, HttpError, isStorableOutcome } from './errors.ts'
import { parseIfMatch, versionEtag } from './etag.ts'
import type { RouteContext, RouteHandler } from './http.ts'
import { json, readJsonObject } from './http.ts'
import {
  type Claim,
  claimError,
  type ClaimRow,
  claimStatement,
  decide,
  existingStatement,
  type KeyRow,
  parseIdempotencyKey,
  renewStatement,
  REPLAY_HEADER,
  requestFingerprint,
  type StoredOutcome,
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
  /** The RPC call as SQL text (sql-text.ts), one SELECT whose column `result` is the RPC's JSON. */
  statement: (input: MutationInput<z.output<P>, z.output<B>>) => string
  /** The response body made of the RPC's result (default: as is). */
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
    const call = spec.statement(input)
    const hash = await requestFingerprint({
      method: req.method,
      target: `${spec.fn}${path}`,
      body: raw,
      ifMatch: ifMatchHeader,
    })
    const user = caller.sub

    const result = await transaction(async (tx): Promise<Outcome> => {
      // 1. the key
      const [claim] = await tx.run<ClaimRow>(claimStatement(user, key, hash))
      if (!claim!.locked) return { kind: 'refused', error: claimError({ kind: 'in_flight' })! }
      if (!claim!.inserted) {
        // used before; the row may have committed after this statement's snapshot: read it again then
        const existing = claim!.existing ??
          (await tx.run<{ existing: KeyRow | null }>(`${existingStatement(user, key)};`))[0]
            ?.existing ??
          null
        const decision: Claim = decide(existing, hash)
        if (decision.kind === 'replay') return { kind: 'done', outcome: decision.outcome, replayed: true }
        const refused = claimError(decision)
        if (refused) return { kind: 'refused', error: refused }
        await tx.run(renewStatement(user, key, hash))
      }

      // 2. the mutation, as the caller
      let outcome: StoredOutcome
      let settle: string
      try {
        const [row] = await tx.run<{ result: Json }>(`${actAs(caller)}\nsavepoint mutation;\n${call}`)
        outcome = { status: spec.status ?? 200, body: spec.shape ? spec.shape(row!.result) : row!.result }
        settle = 'release savepoint mutation;'
      } catch (error) {
        // A decided answer (bad input, forbidden, stale version, illegal move) is the request's result and is
        // stored; anything else rolls back the key with the transaction, so a retry runs again.
        if (!isStorableOutcome(error)) throw error
        const http = fromDatabaseError(error, { ifMatch: usedIfMatch })!
        outcome = { status: http.status, body: http.body }
        settle = 'rollback to savepoint mutation;'
      }

      // 3. the outcome, with the key, atomically
      await tx.commit(`${settle}\nreset role;\n${storeStatement(user, key, outcome)}`)
      return { kind: 'done', outcome, replayed: false }
    })

    if (result.kind === 'refused') throw result.error
    const { outcome, replayed } = result
    return json(outcome.status, outcome.body, {
      ...etagHeader(spec.etagOf, outcome.status, outcome.body),
      ...(replayed ? { [REPLAY_HEADER]: 'true' } : {}),
    })
  }
}
