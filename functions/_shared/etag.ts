// Entity tags. Snapshots: `"<topic>:<seq>@<epoch>"` — a topic's snapshot changes exactly when its seq does within
// an epoch, and seq starts over only with a new epoch (a reset or restore), so the tag is derived from the two
// without reading the body (revalidation costs one `topic_seq` + `topic_epoch` statement). Mutated rows:
// `"<version>"`, the row's version, which `If-Match` sends back as the expected version. Small reads without a
// version (session, menu): a hash of the body they answer.
import { HttpError } from './errors.ts'

export function snapshotEtag(topic: string, epoch: string, seq: number): string {
  return `"${topic}:${seq}@${epoch}"`
}

/** A strong tag naming exactly these bytes: base64url of their SHA-256, truncated to 128 bits. */
export async function contentEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)))
  const text = btoa(String.fromCharCode(...digest.subarray(0, 16)))
  return `"${text.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}"`
}

export function versionEtag(version: number): string {
  return `"${version}"`
}

/** The opaque tags of an `If-None-Match`/`If-Match` list, with `W/` kept so callers can compare strongly. */
export function parseEtagList(header: string): string[] {
  const tags: string[] = []
  const pattern = /\s*(W\/)?("[^"]*")\s*(?:,|$)/gy
  let match: RegExpExecArray | null
  while (pattern.lastIndex < header.length && (match = pattern.exec(header)) !== null) {
    tags.push(`${match[1] ?? ''}${match[2]}`)
  }
  return tags
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses WEAK comparison (`W/"x"` matches `"x"`); `*` matches any current
 * representation.
 */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false
  if (header.trim() === '*') return true
  const bare = etag.replace(/^W\//, '')
  return parseEtagList(header).some((tag) => tag.replace(/^W\//, '') === bare)
}

/**
 * The expected version an `If-Match` header asks for: undefined when absent, `'any'` for `*`. Only one strong
 * tag holding a version is meaningful for a row; anything else is a 400 (a weak tag can never match strongly).
 */
export function parseIfMatch(header: string | null): number | 'any' | undefined {
  if (header === null || header.trim() === '') return undefined
  if (header.trim() === '*') return 'any'
  const tags = parseEtagList(header)
  const only = tags.length === 1 ? tags[0]! : undefined
  const version = only && /^"([1-9][0-9]{0,9})"$/.exec(only)
  if (!version || Number(version[1]) > 2147483647) {
    throw new HttpError(
      400,
      'invalid_if_match',
      'If-Match must be one strong entity tag holding a version, e.g. "3", or *',
    )
  }
  return Number(version[1])
}
