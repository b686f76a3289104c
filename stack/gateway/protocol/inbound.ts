import { EVENT, MAX_JSON_DEPTH } from './constants.ts'
import { type Inbound, ProtocolError } from './frames.ts'
import { jsonDepthExceeds } from './json-depth.ts'

/**
 * Validates the five fields every text frame carries (both serializers) and turns a JSON `broadcast`
 * push into the same shape a binary kind-3 frame decodes to.
 */
export function toInbound(
  joinRef: unknown,
  ref: unknown,
  topic: unknown,
  event: unknown,
  payload: unknown,
): Inbound {
  const jr = optionalRef(joinRef, 'join_ref')
  const r = optionalRef(ref, 'ref')
  if (typeof topic !== 'string') throw new ProtocolError('topic must be a string')
  if (typeof event !== 'string') throw new ProtocolError('event must be a string')
  if (event === EVENT.broadcast) return jsonBroadcast(jr, r, topic, payload)
  return { kind: 'message', joinRef: jr, ref: r, topic, event, payload: payload ?? {} }
}

function jsonBroadcast(joinRef: string | null, ref: string | null, topic: string, payload: unknown): Inbound {
  if (!isRecord(payload) || typeof payload.event !== 'string') {
    throw new ProtocolError('broadcast payload needs a string "event"')
  }
  // realtime-js sends `{}` for a missing user payload in the binary form; the JSON form must agree.
  const bytes = Buffer.from(JSON.stringify(payload.payload ?? {}))
  return {
    kind: 'broadcast',
    joinRef,
    ref,
    topic,
    userEvent: payload.event,
    payload: { encoding: 'json', bytes },
  }
}

function optionalRef(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new ProtocolError(`${field} must be a string or null`)
  return value
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON.parse that reports failures, and JSON nested deeper than MAX_JSON_DEPTH, as protocol errors. */
export function parseJson(text: string): unknown {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new ProtocolError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`)
  }
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new ProtocolError('frame is not valid JSON', { cause })
  }
}
