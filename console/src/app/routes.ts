import type { Session } from 'plater-realtime'

/** A screen the signed-in staff member may open, derived from the scopes /session grants them. */
export type Screen =
  | { kind: 'kds'; path: string; label: string; station: { id: string; slug: string; name: string } }
  | { kind: 'expo' | 'server' | 'monitor'; path: string; label: string }

export function screensFor(session: Session): Screen[] {
  const screens: Screen[] = []
  const scopes = new Set(session.scopes.map((scope) => scope.scope))
  if (scopes.has('expo')) screens.push({ kind: 'expo', path: '/expo', label: 'Expo' })
  for (const scope of session.scopes) {
    if (scope.scope !== 'kds') continue
    const station = session.stations.find((s) => s.id === scope.station_id)
    if (station) screens.push({ kind: 'kds', path: `/kds/${station.slug}`, label: station.name, station })
  }
  // Servers get their own floor; a manager may read every server's topic but has no tables of their own.
  if (session.staff.role === 'server' && scopes.has('server')) {
    screens.push({ kind: 'server', path: '/server', label: 'Tables' })
  }
  // A manager opens on the restaurant's health (first, so the console lands there); the line's screens follow.
  if (scopes.has('admin')) screens.unshift({ kind: 'monitor', path: '/monitor', label: 'Health' })
  return screens
}
