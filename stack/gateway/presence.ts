import { randomBytes } from 'node:crypto'

/**
 * Phoenix.Presence for one topic on one node: who is tracked under which key, with what metadata.
 * Payload shapes are Phoenix's: state `{key: {metas: [{phx_ref, ...meta}]}}`, diff `{joins, leaves}`,
 * an update being a leave of the old meta plus a join of the new one carrying `phx_ref_prev`.
 */

export type Meta = Readonly<Record<string, unknown>> & { readonly phx_ref: string }
export type PresenceMap = Record<string, { metas: Meta[] }>
export interface PresenceDiff {
  readonly joins: PresenceMap
  readonly leaves: PresenceMap
}

interface Entry {
  readonly key: string
  readonly meta: Meta
  /** The tracked payload as JSON, to recognise a track that changes nothing. */
  readonly json: string
}

export class PresenceState {
  /** One entry per tracking channel: a channel tracks a single key (its `presence.key`). */
  readonly #entries = new Map<object, Entry>()

  /** Null when nothing changed (same key, same payload): Realtime sends no diff then. */
  track(owner: object, key: string, payload: Record<string, unknown>): PresenceDiff | null {
    const json = JSON.stringify(payload)
    const previous = this.#entries.get(owner)
    if (previous && previous.key === key && previous.json === json) return null
    const meta: Meta = previous
      ? { ...payload, phx_ref: newRef(), phx_ref_prev: previous.meta.phx_ref }
      : { ...payload, phx_ref: newRef() }
    this.#entries.set(owner, { key, meta, json })
    return {
      joins: { [key]: { metas: [meta] } },
      leaves: previous ? { [previous.key]: { metas: [previous.meta] } } : {},
    }
  }

  untrack(owner: object): PresenceDiff | null {
    const previous = this.#entries.get(owner)
    if (!previous) return null
    this.#entries.delete(owner)
    return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } }
  }

  /** `presence_state` for a newcomer: every key with all of its metas. */
  state(): PresenceMap {
    const state: PresenceMap = {}
    for (const { key, meta } of this.#entries.values()) (state[key] ??= { metas: [] }).metas.push(meta)
    return state
  }
}

/** Phoenix refs are opaque base64 strings; 12 random bytes give the same length (16 characters). */
function newRef(): string {
  return randomBytes(12).toString('base64url')
}
