import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Golden frames recorded from @supabase/supabase-js 2.119.1 against a mock server (tests/gateway/fixtures/), so a
 * clone (and CI) is self-contained.
 * Only the client side of them is authoritative; server frames there follow Supabase's notes.
 */
export interface FixtureEntry {
  step: string
  conn?: string
  direction: 'client->server' | 'server->client' | 'http' | 'client-api'
  frame?: string | { hex: string } | { close: unknown } | Record<string, unknown>
  decoded?: {
    join_ref: string
    ref: string
    topic: string
    user_event: string
    payload: unknown
  }
  note?: string
}

export interface DecodingCase {
  vsn: '1.0.0' | '2.0.0'
  case: string
  server_frame: string | { hex: string }
  client_callback_received: { callback: string; payload?: unknown }[]
}

interface Fixtures {
  sessions: Record<'1.0.0' | '2.0.0', FixtureEntry[]>
  decoding: DecodingCase[]
}

const path = fileURLToPath(new URL('../fixtures/wire-fixtures.json', import.meta.url))

export const fixtures = JSON.parse(readFileSync(path, 'utf8')) as Fixtures

export function frameBytes(frame: string | { hex: string }): { data: Buffer; binary: boolean } {
  return typeof frame === 'string'
    ? { data: Buffer.from(frame), binary: false }
    : { data: Buffer.from(frame.hex, 'hex'), binary: true }
}

export function isWireFrame(frame: FixtureEntry['frame']): frame is string | { hex: string } {
  return typeof frame === 'string' || (typeof frame === 'object' && frame !== null && 'hex' in frame)
}
