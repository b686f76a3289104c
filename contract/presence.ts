// Presence identity (functions/presence): what a console reports about its client, and the text it signs.

/** The report's fields in the order the signature covers them (no key-order games). */
export const REPORT_FIELDS = ['screen', 'status', 'p95', 'pending', 'rollbacks', 'reconnects', 'at'] as const
export type ReportField = typeof REPORT_FIELDS[number]

/** The text a console signs: its report's fields as a JSON array in REPORT_FIELDS order. */
export function signedText(report: { [F in ReportField]: unknown }): string {
  return JSON.stringify(REPORT_FIELDS.map((field) => report[field]))
}

/** `POST /presence/verify` takes at most this many entries. */
export const MAX_VERIFY_ENTRIES = 200
