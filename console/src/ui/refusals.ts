import { refusalWords } from '../../../contract/errors.ts'

// Every screen's refusals, in words: the contract's error table (contract/errors.ts, `ERROR_CODES`) says what each
// code means on the line, and whether the answer's message is the database's own reason, written for people.

/** A refusal as the functions answer it (`{code, message, details?}`), carried by the client's errors. */
export interface Refusal {
  code?: string
  status?: number
  message?: string
  details?: unknown
}

/** The reason a refusal gives, in words (the database's own where it wrote one for people). */
export function refusalReason(error: unknown): string {
  return refusalWords((error ?? {}) as Refusal) ?? String(error)
}

/** A refusal in one line: what was refused, why, and the code in brackets for whoever reads the logs. */
export function describeRefusal(label: string, error: unknown): string {
  const code = (error as Refusal | null)?.code
  return `Rolled back — ${label}: ${refusalReason(error)}${code ? ` (${code})` : ''}`
}
