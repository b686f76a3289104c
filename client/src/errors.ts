// Every `code` here is one of the contract's error table (contract/errors.ts ERROR_CODES: status, words); the client's
// own (no server answered) have status 0 there.
import type { ERROR_CODES, ErrorCode } from '../../contract/errors.ts'

/** Every error the client raises: a stable `code` to branch on, the HTTP `status` when a server answered (else 0). */
export class PlaterError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** An error answer of an edge function (`{code, message, details?}`). */
export class ApiError extends PlaterError {
  constructor(
    code: string,
    message: string,
    status: number,
    details?: unknown,
    /** From `Retry-After`, when the server sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message, status, details)
  }
}

/** A mutation the server refused (or one that could not be sent and was given up); its optimistic change is undone. */
export class MutationError extends ApiError {}

/** The request never got an answer: no network, connection refused, timed out. */
export class NetworkError extends PlaterError {
  constructor(message: string, cause?: unknown) {
    super('network_error' satisfies ErrorCode, message)
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause
  }
}

/** `open()` past `maxChannelsPerConnection` (Supabase refuses the join past 100 per socket anyway). */
export class ChannelLimitError extends PlaterError {
  constructor(readonly limit: number) {
    super(
      'too_many_channels' satisfies ErrorCode,
      `this client already holds ${limit} channels (maxChannelsPerConnection)`,
    )
  }
}

/** The server refused the scope for good (the caller may not read this topic): its join, snapshot or session. */
export class ScopeAccessError extends PlaterError {}

/** The server refused a channel join: the caller may not read the topic. */
export function joinRefused(reason: string | undefined): ScopeAccessError {
  const status: (typeof ERROR_CODES)['forbidden']['status'] = 403
  return new ScopeAccessError(
    'forbidden' satisfies ErrorCode,
    reason ?? 'the server refused the channel join',
    status,
  )
}

/** Anything done after `close()`. */
export function closedError(): PlaterError {
  return new PlaterError('closed' satisfies ErrorCode, 'the client is closed')
}

/** A refusal met while opening a scope, as the ScopeAccessError the scope's `error` documents (cause kept). */
export function accessError(error: unknown): ScopeAccessError {
  if (error instanceof ScopeAccessError) return error
  const e = error as Partial<PlaterError> | undefined
  const code = e?.code ?? ('forbidden' satisfies ErrorCode)
  const access = new ScopeAccessError(code, e?.message ?? String(error), e?.status ?? 0, e?.details)
  ;(access as { cause?: unknown }).cause = error
  return access
}
