// Every error leaves a function as JSON `{code, message, details?}` with a stable `code` (see README.md).
// Database errors raised by the RPCs carry a project SQLSTATE (class PT, docs/architecture.md) that maps to HTTP
// without parsing messages.

export interface ErrorBody {
  code: string
  message: string
  details?: unknown
}

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

export interface MappingOptions {
  /** The expected version came from an `If-Match` header: a stale version answers 412 instead of 409. */
  ifMatch?: boolean
}

/** A database error as postgres.js reports it (PostgresError); only the fields we read. */
interface DatabaseErrorLike {
  code: string
  message: string
  detail?: string
}

function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' &&
    (error as { name?: string }).name === 'PostgresError'
}

function parseDetail(detail: string | undefined): unknown {
  if (detail === undefined || detail === '') return undefined
  try {
    return JSON.parse(detail)
  } catch {
    return { detail }
  }
}

/** The answer to every connection-level failure: nothing can be said about the data, so ask for a retry. */
const RETRY_AFTER = { 'retry-after': '1' }

/**
 * The database could not be reached or the connection broke: a transient fault (the server starting up or
 * restarting, a connection refused, reset or stuck past its time limit, a fault inside the driver). `sent` is
 * false when nothing can have reached the server (it was refused at connect), so nothing was applied; when true,
 * statements may have run, and a COMMIT among them may have taken effect.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, readonly sent: boolean, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DatabaseUnavailableError'
  }
}

// SQLSTATEs of a server that is going away or not there yet: connection exceptions (class 08), admin/crash
// shutdown, "the database system is starting up" (57P03), too many connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300'])
// Refused before the session began: no statement can have reached the server.
const REFUSED_SQLSTATES = new Set(['57P03', '53300', '08001', '08004'])
const REFUSED_CODES = new Set([
  'ECONNREFUSED',
  'CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])

/**
 * `error` as a DatabaseUnavailableError when it is a connection-level failure of a database call: a server
 * error of the SQLSTATEs above, or anything the driver throws that is not a server error (its own connection
 * codes such as CONNECTION_CLOSED, a socket error, an internal TypeError of a driver that lost its socket).
 * Undefined for a server's answer to the statements (those are the request's own outcome).
 */
export function connectionFailure(error: unknown): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error
  if (error instanceof HttpError) return undefined
  const code = String((error as { code?: unknown } | null)?.code ?? '')
  if (isDatabaseError(error)) {
    if (!code.startsWith('08') && !UNAVAILABLE_SQLSTATES.has(code)) return undefined
    return new DatabaseUnavailableError(
      `the database is unavailable (${code})`,
      !REFUSED_SQLSTATES.has(code),
      {
        cause: error,
      },
    )
  }
  const what = code || (error instanceof Error ? error.name : 'error')
  return new DatabaseUnavailableError(`the database connection failed (${what})`, !REFUSED_CODES.has(code), {
    cause: error,
  })
}

/**
 * The HTTP error for a database error, or undefined when it is not one we can answer for (the caller then
 * answers 500 without leaking the message). `storable` errors are deterministic outcomes of running the
 * mutation, which an idempotency key records and replays; the others (auth, transient) are safe to retry.
 * Only errors of database calls reach here as anything but an HttpError: db.ts has already turned connection-level
 * failures into DatabaseUnavailableError.
 */
export function fromDatabaseError(error: unknown, options: MappingOptions = {}): HttpError | undefined {
  if (error instanceof DatabaseUnavailableError) {
    return new HttpError(503, 'retry_later', `${error.message}; retry shortly`, undefined, RETRY_AFTER, {
      cause: error,
    })
  }
  if (!isDatabaseError(error)) return undefined
  const details = parseDetail(error.detail)
  const cause = { cause: error }
  switch (error.code) {
    case 'PT400':
      return new HttpError(400, 'invalid_input', error.message, details, {}, cause)
    case 'PT401':
      return new HttpError(401, 'not_staff', error.message, details, {}, cause)
    case 'PT403':
      return new HttpError(403, 'forbidden', error.message, details, {}, cause)
    case 'PT404':
      return new HttpError(404, 'not_found', error.message, details, {}, cause)
    case 'PT409':
      return options.ifMatch
        ? new HttpError(412, 'precondition_failed', error.message, details, {}, cause)
        : new HttpError(409, 'version_conflict', error.message, details, {}, cause)
    case 'PT422':
      return new HttpError(422, 'illegal_transition', error.message, details, {}, cause)
    case '42501': // insufficient_privilege: e.g. an anon key calling an RPC granted to authenticated only
      return new HttpError(403, 'forbidden', 'this role may not call this operation', undefined, {}, cause)
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
    case '55P03': // lock_not_available
      return new HttpError(
        503,
        'retry_later',
        'the write collided with another; retry it',
        undefined,
        RETRY_AFTER,
        cause,
      )
    case '57014': // query_canceled (statement_timeout)
      return new HttpError(
        503,
        'timeout',
        'the database took too long; retry it',
        undefined,
        RETRY_AFTER,
        cause,
      )
  }
  const unavailable = connectionFailure(error)
  if (unavailable) return fromDatabaseError(unavailable)
  if (error.code.startsWith('22')) {
    // data exceptions (a value of the wrong shape or range): the input got past validation but not past the schema
    return new HttpError(400, 'invalid_input', error.message, undefined, {}, cause)
  }
  return undefined
}

/** SQLSTATEs whose answer an idempotency key stores and replays (the mutation ran and decided). */
const STORABLE_SQLSTATES = new Set(['PT400', 'PT403', 'PT404', 'PT409', 'PT422'])

export function isStorableOutcome(error: unknown): boolean {
  return isDatabaseError(error) && STORABLE_SQLSTATES.has(error.code)
}

/** Any throwable as an HttpError; unknown ones become a 500 that says nothing about internals. */
export function toHttpError(error: unknown, options: MappingOptions = {}): HttpError {
  if (error instanceof HttpError) return error
  return fromDatabaseError(error, options) ??
    new HttpError(500, 'internal_error', 'internal error', undefined, {}, { cause: error })
}
