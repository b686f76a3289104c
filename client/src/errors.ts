/** Every error the client raises: a stable `code` to branch on, the HTTP `status` when a server answered (else 0). */
export class PlaterError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
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
    super(code, message, status, details);
  }
}

/** A mutation the server refused (or one that could not be sent and was given up); its optimistic change is undone. */
export class MutationError extends ApiError {}

/** The request never got an answer: no network, connection refused, timed out. */
export class NetworkError extends PlaterError {
  constructor(message: string, cause?: unknown) {
    super('network_error', message);
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** `open()` past `maxChannelsPerConnection` (Supabase refuses the join past 100 per socket anyway). */
export class ChannelLimitError extends PlaterError {
  constructor(readonly limit: number) {
    super('too_many_channels', `this client already holds ${limit} channels (maxChannelsPerConnection)`);
  }
}

/** The server refused the channel join for good (the caller may not read this topic). */
export class ScopeAccessError extends PlaterError {}

/**
 * Worth retrying with the same Idempotency-Key: nothing was decided (no answer, a transient server state, or
 * the first request with the key still running). A decided refusal (4xx) would be refused the same way again.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if (!(error instanceof ApiError)) return false;
  if (error.code === 'idempotency_key_in_flight') return true;
  return error.status === 429 || error.status >= 500;
}
