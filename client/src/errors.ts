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

/** The server refused the scope for good (the caller may not read this topic): its join, snapshot or session. */
export class ScopeAccessError extends PlaterError {}

/** A refusal met while opening a scope, as the ScopeAccessError the scope's `error` documents (cause kept). */
export function accessError(error: unknown): ScopeAccessError {
  if (error instanceof ScopeAccessError) return error;
  const e = error as Partial<PlaterError> | undefined;
  const access = new ScopeAccessError(e?.code ?? 'forbidden', e?.message ?? String(error), e?.status ?? 0, e?.details);
  (access as { cause?: unknown }).cause = error;
  return access;
}
