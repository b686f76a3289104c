// The one pipeline every mutation goes through:
//   token → Idempotency-Key → JSON body → zod (params + body) → expected version (If-Match or body)
//   → ONE transaction: claim the key, act as the caller, run the RPC (in a savepoint), store the outcome → answer.
import { authenticate, requireUser } from './auth.ts'
import { db, actAs } from './db.ts'
import type { TransactionSql } from './deps.ts'
import { z } from './deps.ts'
import { fromDatabaseError, HttpError, isStorableOutcome } from './errors.ts'
import { parseIfMatch, versionEtag } from './etag.ts'
import type { RouteContext, RouteHandler } from './http.ts'
import { json, readJsonObject } from './http.ts'
import {
  claimError,
  claimKey,
  parseIdempotencyKey,
  REPLAY_HEADER,
  requestFingerprint,
  type StoredOutcome,
  storeOutcome,
} from './idempotency.ts'
import { validate } from './validate.ts'

export interface MutationInput<P, B> {
  params: P
  body: B
  /** From If-Match or the body's `expected_version`; null = unconditional. */
  expectedVersion: number | null
  userId: string
}

export interface MutationSpec<P extends z.ZodType, B extends z.ZodType> {
  /** Function name, part of the fingerprint. */
  fn: string
  params: P
  body: B
  /** False for RPCs without an expected version (place_order, bump_ticket): If-Match is refused there. */
  versioned: boolean
  /** Calls the RPC and shapes its JSON result as the response body. */
  run: (tx: TransactionSql, input: MutationInput<z.output<P>, z.output<B>>) => Promise<Record<string, unknown>>
  /** Success status (201 for a created order). */
  status?: number
  /** The entity whose version becomes the response's ETag, e.g. `item` for `{item: {...}}`. */
  etagOf?: string
}

function etagHeader(spec: { etagOf?: string }, status: number, body: unknown): Record<string, string> {
  if (!spec.etagOf || status >= 300 || typeof body !== 'object' || body === null) return {}
  const entity = (body as Record<string, unknown>)[spec.etagOf] as { version?: unknown } | undefined
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
      throw new HttpError(400, 'if_match_not_supported', 'this operation has no version to match; omit If-Match')
    }
    const bodyVersion = (body as { expected_version?: number }).expected_version
    const headerVersion = typeof ifMatch === 'number' ? ifMatch : undefined
    if (headerVersion !== undefined && bodyVersion !== undefined && headerVersion !== bodyVersion) {
      throw new HttpError(400, 'invalid_request', 'If-Match and expected_version disagree; send one of them')
    }
    const expectedVersion = headerVersion ?? bodyVersion ?? null
    const usedIfMatch = headerVersion !== undefined

    const hash = await requestFingerprint({ method: req.method, target: `${spec.fn}${path}`, body: raw, ifMatch: ifMatchHeader })
    const input = { params: parsedParams, body, expectedVersion, userId: caller.sub }

    const result = await db().begin(async (tx): Promise<Outcome> => {
      const claim = await claimKey(tx, caller.sub, key, hash)
      const refused = claimError(claim)
      if (refused) return { kind: 'refused', error: refused }
      if (claim.kind === 'replay') return { kind: 'done', outcome: claim.outcome, replayed: true }

      await actAs(tx, caller)
      let outcome: StoredOutcome
      try {
        const value = await tx.savepoint((sp) => spec.run(sp, input))
        outcome = { status: spec.status ?? 200, body: value }
      } catch (error) {
        // A decided answer (bad input, forbidden, stale version, illegal move) is the request's result and is
        // stored; anything else rolls back the key with the transaction, so a retry runs again.
        if (!isStorableOutcome(error)) throw error
        const http = fromDatabaseError(error, { ifMatch: usedIfMatch })!
        outcome = { status: http.status, body: http.body }
      }
      await tx`reset role`
      await storeOutcome(tx, caller.sub, key, outcome)
      return { kind: 'done', outcome, replayed: false }
    }) as Outcome

    if (result.kind === 'refused') throw result.error
    const { outcome, replayed } = result
    return json(outcome.status, outcome.body, {
      ...etagHeader(spec, outcome.status, outcome.body),
      ...(replayed ? { [REPLAY_HEADER]: 'true' } : {}),
    })
  }
}
