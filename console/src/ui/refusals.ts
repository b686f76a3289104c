// Every screen's refusals, in words: the table by error code and the sentence a rolled-back action shows.

/** A refusal as the functions answer it (`{code, message, details?}`), carried by the client's errors. */
export interface Refusal {
  code?: string;
  status?: number;
  message?: string;
  details?: unknown;
}

/**
 * What a refusal means on the line, by error code: the one table every screen's refusals go through.
 *
 * `database`: the answer's message is the database's own reason, written for people by the RPC that refused
 * ("only a manager may cancel an order the kitchen has started", "a cook may not cancel orders", "cannot add items
 * to a cancelled order"): the screen says that. `words` then stand in only for an answer without a message.
 * Without it the message is for machines ("item … is at version 4, not 3", a socket error) and the words replace it.
 */
export const REFUSAL_WORDS: Readonly<Record<string, { words: string; database?: true }>> = {
  forbidden: { words: 'your role may not do this', database: true },
  illegal_transition: { words: 'it cannot move that way now', database: true },
  invalid_input: { words: 'the kitchen server refused what was sent', database: true },
  invalid_request: { words: 'the kitchen server refused what was sent', database: true },
  not_staff: { words: 'you are no longer on the staff here', database: true },
  not_found: { words: 'it is gone' },
  version_conflict: { words: 'someone else changed it first' },
  precondition_failed: { words: 'someone else changed it first' },
  dependency_rejected: { words: 'an earlier change to it was refused' },
  network_error: { words: 'no connection to the kitchen server' },
  retry_later: { words: 'the kitchen server is busy; try again' },
  timeout: { words: 'the kitchen server took too long; try again' },
  internal_error: { words: 'the kitchen server failed; try again' },
  token_expired: { words: 'your sign-in expired; sign in again' },
  invalid_jwt: { words: 'your sign-in is not valid; sign in again' },
  closed: { words: 'this console was closed' },
};

/** The reason a refusal gives, in words (the database's own where it wrote one for people). */
export function refusalReason(error: unknown): string {
  const refusal = (error ?? {}) as Refusal;
  const entry = refusal.code ? REFUSAL_WORDS[refusal.code] : undefined;
  const message = refusal.message?.trim();
  if (entry && !(entry.database && message)) return entry.words;
  return message || String(error);
}

/** A refusal in one line: what was refused, why, and the code in brackets for whoever reads the logs. */
export function describeRefusal(label: string, error: unknown): string {
  const code = (error as Refusal | null)?.code;
  return `Rolled back — ${label}: ${refusalReason(error)}${code ? ` (${code})` : ''}`;
}
