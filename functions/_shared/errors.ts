// Every error leaves a function as JSON `{code, message, details?}` with a stable `code` (see README.md). The
// error table — which database code answers which HTTP status and code, and which outcomes an idempotency key
// stores — is the contract's (@plater/contract/errors.ts); this module applies it to what postgres.js throws.
import {
  DATABASE_UNAVAILABLE,
  databaseAnswer,
  HttpError,
  isUnavailableSqlstate,
  RETRY_AFTER_HEADERS,
  STORABLE_SQLSTATES,
} from '@plater/contract/errors.ts'

export { type ErrorBody, HttpError } from '@plater/contract/errors.ts'

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
    if (!isUnavailableSqlstate(code)) return undefined
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
    const { status, code } = DATABASE_UNAVAILABLE
    return new HttpError(status, code, `${error.message}; retry shortly`, undefined, RETRY_AFTER_HEADERS, {
      cause: error,
    })
  }
  if (!isDatabaseError(error)) return undefined
  const unavailable = connectionFailure(error)
  if (unavailable) return fromDatabaseError(unavailable)
  const answer = databaseAnswer(error.code, options)
  if (!answer) return undefined
  // the project's own codes carry details for the client (e.g. the current row of a version conflict)
  const details = error.code.startsWith('PT') ? parseDetail(error.detail) : undefined
  return new HttpError(
    answer.status,
    answer.code,
    answer.message ?? error.message,
    details,
    answer.transient ? RETRY_AFTER_HEADERS : {},
    { cause: error },
  )
}

/** Whether an idempotency key stores and replays this outcome (the mutation ran and decided). */
export function isStorableOutcome(error: unknown): boolean {
  return isDatabaseError(error) && STORABLE_SQLSTATES.includes(error.code)
}

/** Any throwable as an HttpError; unknown ones become a 500 that says nothing about internals. */
export function toHttpError(error: unknown, options: MappingOptions = {}): HttpError {
  if (error instanceof HttpError) return error
  return fromDatabaseError(error, options) ??
    new HttpError(500, 'internal_error', 'internal error', undefined, {}, { cause: error })
}
