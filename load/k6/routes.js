// Every HTTP path the k6 scripts call, in one place (the stack serves Supabase's layout). This is where the
// contract's route table is meant to come in: once k6 can import it, re-export its paths from here and the
// scripts stay as they are.

/** Password sign-in (Supabase Auth). */
export const SIGN_IN_PATH = '/auth/v1/token?grant_type=password'
/** The realtime gateway's WebSocket (Supabase Realtime's Phoenix socket). */
export const REALTIME_SOCKET_PATH = '/realtime/v1/websocket'
/** Broadcast over REST (Supabase Realtime's `/api/broadcast`). */
export const BROADCAST_PATH = '/realtime/v1/api/broadcast'

/** An edge function's route, `path` relative to /functions/v1 (e.g. `snapshot?topic=…`, `kitchen/items/<id>/start`). */
export function functionPath(path) {
  return `/functions/v1/${path}`
}
