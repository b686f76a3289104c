// One error table for every layer: the database's codes (SQLSTATE; the project's own are class PT, raised by
// `plater_private.fail`), the HTTP answer a function gives for each, the stable `code` clients branch on, and the
// words a screen shows for it. Every error leaves a function as JSON `{code, message, details?}`.

export interface ErrorBody {
  code: string
  message: string
  details?: unknown
}

/** An answer other than success, as thrown inside a handler and sent as `{code, message, details?}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'HttpError'
  }

  get body(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.body), {
      status: this.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...this.headers },
    })
  }
}

/** The answer to every transient fault: nothing was decided, so ask for a retry in a second. */
export const RETRY_AFTER_HEADERS: Readonly<Record<string, string>> = { 'retry-after': '1' }

/**
 * Every `code` a client can meet, with its HTTP status (0: raised by the client itself, no server answered) and
 * the words a screen shows. `saysWhy`: the answer's message is the database's own reason, written for people by
 * the RPC that refused ("only a manager may cancel an order the kitchen has started"), so a screen shows that and
 * the words stand in only when there is no message; otherwise the message is for machines and the words replace it.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, words: 'the kitchen server refused what was sent', saysWhy: true },
  invalid_json: { status: 400, words: 'the kitchen server refused what was sent' },
  invalid_input: { status: 400, words: 'the kitchen server refused what was sent', saysWhy: true },
  idempotency_key_required: { status: 400, words: 'the kitchen server refused what was sent' },
  invalid_idempotency_key: { status: 400, words: 'the kitchen server refused what was sent' },
  invalid_if_match: { status: 400, words: 'the kitchen server refused what was sent' },
  if_match_not_supported: { status: 400, words: 'the kitchen server refused what was sent' },
  missing_authorization: { status: 401, words: 'you are not signed in; sign in again' },
  invalid_authorization: { status: 401, words: 'your sign-in is not valid; sign in again' },
  invalid_jwt: { status: 401, words: 'your sign-in is not valid; sign in again' },
  token_expired: { status: 401, words: 'your sign-in expired; sign in again' },
  user_token_required: { status: 401, words: 'sign in as a staff member' },
  not_staff: { status: 401, words: 'you are no longer on the staff here', saysWhy: true },
  forbidden: { status: 403, words: 'your role may not do this', saysWhy: true },
  not_found: { status: 404, words: 'it is gone' },
  method_not_allowed: { status: 405, words: 'the kitchen server refused what was sent' },
  version_conflict: { status: 409, words: 'someone else changed it first' },
  idempotency_key_in_flight: { status: 409, words: 'the kitchen server is busy; try again' },
  refetch_snapshot: { status: 410, words: 'reloading the latest state' },
  precondition_failed: { status: 412, words: 'someone else changed it first' },
  /** Its message names the limit ("the body exceeds 262144 bytes"). */
  payload_too_large: { status: 413, words: 'the kitchen server refused what was sent', saysWhy: true },
  illegal_transition: { status: 422, words: 'it cannot move that way now', saysWhy: true },
  idempotency_key_reused: { status: 422, words: 'the kitchen server refused what was sent' },
  internal_error: { status: 500, words: 'the kitchen server failed; try again' },
  retry_later: { status: 503, words: 'the kitchen server is busy; try again' },
  timeout: { status: 503, words: 'the kitchen server took too long; try again' },
  auth_unavailable: { status: 503, words: 'the kitchen server is busy; try again' },
  network_error: { status: 0, words: 'no connection to the kitchen server' },
  dependency_rejected: { status: 0, words: 'an earlier change to it was refused' },
  closed: { status: 0, words: 'this console was closed' },
  client_closed: { status: 0, words: 'this console was closed before the kitchen server answered' },
  client_error: { status: 0, words: 'this console failed to send it; try again' },
  invalid_response: { status: 0, words: 'the kitchen server sent an answer this console cannot read' },
  not_joined: { status: 0, words: 'not connected to the crew yet' },
  too_many_channels: { status: 0, words: 'this console has too many screens open' },
} as const satisfies Record<string, { status: number; words: string; saysWhy?: true }>
export type ErrorCode = keyof typeof ERROR_CODES

/** How a function answers one database code. */
export interface DatabaseAnswer {
  status: number
  code: ErrorCode
  /** The function's own message (else the database's, which the RPCs write for people). */
  message?: string
  /**
   * A decided outcome of running the mutation (it ran and refused): an Idempotency-Key stores and replays it.
   * The others (auth, transient) store nothing, so the same key can be retried.
   */
  storable?: true
  /** Nothing was decided: answer with `Retry-After`. */
  transient?: true
}

/** The database codes with an answer of their own. */
export const DATABASE_ERRORS = {
  PT400: { status: 400, code: 'invalid_input', storable: true },
  PT401: { status: 401, code: 'not_staff' },
  PT403: { status: 403, code: 'forbidden', storable: true },
  PT404: { status: 404, code: 'not_found', storable: true },
  /** A stale expected version; 412 `precondition_failed` when the version came in If-Match (`IF_MATCH_CONFLICT`). */
  PT409: { status: 409, code: 'version_conflict', storable: true },
  PT422: { status: 422, code: 'illegal_transition', storable: true },
  /** insufficient_privilege: e.g. an anon key calling an RPC granted to authenticated only. */
  '42501': { status: 403, code: 'forbidden', message: 'this role may not call this operation' },
  /** serialization_failure */
  '40001': {
    status: 503,
    code: 'retry_later',
    message: 'the write collided with another; retry it',
    transient: true,
  },
  /** deadlock_detected */
  '40P01': {
    status: 503,
    code: 'retry_later',
    message: 'the write collided with another; retry it',
    transient: true,
  },
  /** lock_not_available */
  '55P03': {
    status: 503,
    code: 'retry_later',
    message: 'the write collided with another; retry it',
    transient: true,
  },
  /** query_canceled (statement_timeout) */
  '57014': { status: 503, code: 'timeout', message: 'the database took too long; retry it', transient: true },
} as const satisfies Record<string, DatabaseAnswer>

/** PT409 when the expected version came in `If-Match`. */
export const IF_MATCH_CONFLICT: DatabaseAnswer = { status: 412, code: 'precondition_failed', storable: true }

/** The database could not be reached or the connection broke (see `isUnavailableSqlstate`). */
export const DATABASE_UNAVAILABLE: DatabaseAnswer = { status: 503, code: 'retry_later', transient: true }

/** A data exception (class 22): a value of the wrong shape or range got past validation but not past the schema. */
export const DATA_EXCEPTION: DatabaseAnswer = { status: 400, code: 'invalid_input' }

/**
 * A server that is going away or not there yet: connection exceptions (class 08), admin/crash shutdown,
 * "the database system is starting up" (57P03), too many connections.
 */
export function isUnavailableSqlstate(sqlstate: string): boolean {
  return sqlstate.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(sqlstate)
}

/** The answer to a database code, or undefined when it has none (the function then answers 500). */
export function databaseAnswer(
  sqlstate: string,
  options: { ifMatch?: boolean } = {},
): DatabaseAnswer | undefined {
  if (sqlstate === 'PT409' && options.ifMatch) return IF_MATCH_CONFLICT
  if (Object.hasOwn(DATABASE_ERRORS, sqlstate)) {
    return DATABASE_ERRORS[sqlstate as keyof typeof DATABASE_ERRORS]
  }
  if (isUnavailableSqlstate(sqlstate)) return DATABASE_UNAVAILABLE
  if (sqlstate.startsWith('22')) return DATA_EXCEPTION
  return undefined
}

/** Database codes whose answer an Idempotency-Key stores and replays. */
// `@__PURE__`: the client's browser bundle, which never reads it, leaves it (and DATABASE_ERRORS) out
export const STORABLE_SQLSTATES: readonly string[] = /* @__PURE__ */ storableSqlstates()

function storableSqlstates(): string[] {
  return Object.entries(DATABASE_ERRORS).filter(([, answer]) => 'storable' in answer).map(([sqlstate]) =>
    sqlstate
  )
}

/**
 * Worth retrying with the same Idempotency-Key: nothing was decided (no answer, a transient server state, or the
 * first request with the key still running). A decided refusal (4xx) would be refused the same way again.
 */
export function isTransientAnswer(answer: { status: number; code?: string }): boolean {
  return answer.code === 'network_error' || answer.code === 'idempotency_key_in_flight' ||
    answer.status === 429 ||
    answer.status >= 500
}

/** The words a screen shows for a refusal: the database's own reason where it wrote one for people. */
export function refusalWords(refusal: { code?: string; message?: string }): string | undefined {
  const entry = refusal.code !== undefined && Object.hasOwn(ERROR_CODES, refusal.code)
    ? ERROR_CODES[refusal.code as ErrorCode]
    : undefined
  const message = refusal.message?.trim()
  if (entry && !('saysWhy' in entry && message)) return entry.words
  return message || undefined
}
