/** Tallies one answer by its HTTP status (or `error:<message>` when none came). */
export function countStatus(counts: Record<string, number>, status: number | string): void {
  counts[String(status)] = (counts[String(status)] ?? 0) + 1
}
