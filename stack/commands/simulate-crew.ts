// The simulated restaurant's staff: who works there (read from the database, like `plater token`), which part
// each plays, and the screens they act from.
import type { ScopeKey } from 'plater-realtime'
import { withDb } from '../db-connection.ts'
import type { CrewIds } from './simulate-plan.ts'

export interface StaffRow {
  user_id: string
  email: string
  role: 'server' | 'cook' | 'expo' | 'manager'
  station_id: string | null
  display_name: string
}

export interface Roster {
  restaurant: { id: string; name: string }
  stations: { id: string; slug: string; name: string }[]
  staff: StaffRow[]
}

/** The restaurant named by id or (case-insensitive) name, or the first by name; its stations and active staff. */
export function loadRoster(dbUrl: string, restaurant: string | undefined): Promise<Roster> {
  return withDb(dbUrl, 'simulate', async (sql) => {
    const [found] = await sql<{ id: string; name: string }[]>`
      select id, name from public.restaurants
       where ${restaurant ?? null}::text is null or id::text = ${restaurant ?? ''} or lower(name) = lower(${
      restaurant ?? ''
    })
       order by name, id limit 1`
    if (!found) {
      throw new Error(
        restaurant ? `no restaurant "${restaurant}" (give its id or name)` : 'the database has no restaurant',
      )
    }
    const stations = await sql<Roster['stations']>`
      select id, slug, name from public.stations where restaurant_id = ${found.id} order by slug`
    const staff = await sql<StaffRow[]>`
      select s.user_id, u.email, s.role, s.station_id, s.display_name
        from public.staff s join auth.users u on u.id = s.user_id
       where s.restaurant_id = ${found.id} and s.active and u.email is not null
       order by s.role, s.display_name`
    return { restaurant: found, stations: [...stations], staff: [...staff] }
  })
}

/**
 * Who plays which part. Servers seat and order (a manager stands in when there is none); expo fires, serves and
 * rushes (else a manager); each station's cook cooks, and expo covers a station without one — expo may work
 * every station.
 */
export function castCrew(roster: Roster): CrewIds & { manager: string } {
  const byRole = (role: StaffRow['role']) => roster.staff.filter((s) => s.role === role).map((s) => s.user_id)
  const manager = byRole('manager')[0]
  const expo = byRole('expo')[0] ?? manager
  if (!manager || !expo) {
    throw new Error(
      `${roster.restaurant.name} needs an active manager (to watch the service) and expo or a manager`,
    )
  }
  const servers = byRole('server').length > 0 ? byRole('server') : [manager]
  const cookOf: Record<string, string> = {}
  for (const station of roster.stations) {
    cookOf[station.id] = roster.staff.find((s) =>
      s.role === 'cook' && s.station_id === station.id
    )?.user_id ?? expo
  }
  return { servers, expo, cookOf, manager }
}

/**
 * The screens a member works from: those showing the rows their parts act on, so their client sends the version
 * they saw. The manager's `admin` view shows everything (and is what the simulator plans from).
 */
export function screensOf(crew: CrewIds & { manager: string }, userId: string): ScopeKey[] {
  if (userId === crew.manager) return [{ scope: 'admin' }]
  const screens: ScopeKey[] = []
  if (crew.servers.includes(userId)) screens.push({ scope: 'floor' })
  if (userId === crew.expo) return [...screens, { scope: 'expo' }] // expo's screen shows every station's items
  for (const [stationId, cook] of Object.entries(crew.cookOf)) {
    if (cook === userId) screens.push({ scope: 'kds', stationId })
  }
  return screens
}
