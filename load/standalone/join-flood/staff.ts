import { createClient, type RealtimeChannel } from '@supabase/supabase-js'
import postgres from 'postgres'
import WebSocket from 'ws'

export interface Staff {
  readonly id: string
  readonly email: string
  readonly topics: readonly string[]
}

/** The private topics a staff member's screens join, by role (docs/topics.md). */
function topicsFor(role: string, restaurant: string, user: string, station: string | null): string[] {
  const crew = `crew:${restaurant}`
  switch (role) {
    case 'server':
      return [`server:${restaurant}:${user}`, `floor:${restaurant}`, crew]
    case 'cook':
      return [`kds:${restaurant}:${station}`, crew]
    case 'expo':
      return [`expo:${restaurant}`, `floor:${restaurant}`, crew]
    default:
      return [`admin:${restaurant}`, `expo:${restaurant}`, `floor:${restaurant}`, crew]
  }
}

export async function loadStaff(dbUrl: string): Promise<Staff[]> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    const rows = await sql<
      { id: string; email: string; role: string; restaurant: string; station: string | null }[]
    >`
      select s.user_id as id, u.email, s.role, s.restaurant_id as restaurant, s.station_id as station
      from public.staff s join auth.users u on u.id = s.user_id
      where s.active order by u.email`
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      topics: topicsFor(r.role, r.restaurant, r.id, r.station),
    }))
  } finally {
    await sql.end()
  }
}

interface StaffJoin {
  readonly topic: string
  readonly ok: boolean
  readonly status: string
  readonly ms: number
}

/** A staff member signing in: a client of their own, one channel per topic of their role. */
export async function signIn(url: string, anonKey: string, token: string, staff: Staff) {
  const sb = createClient(url, anonKey, {
    accessToken: () => Promise.resolve(token),
    realtime: { transport: WebSocket as never },
  })
  await sb.realtime.setAuth()
  const joins = await Promise.all(
    staff.topics.map(
      (topic) =>
        new Promise<StaffJoin>((resolve) => {
          const started = performance.now()
          const channel: RealtimeChannel = sb.channel(topic, { config: { private: true } })
          channel.subscribe((status) => {
            if (
              status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' ||
              status === 'CLOSED'
            ) {
              resolve({ topic, ok: status === 'SUBSCRIBED', status, ms: performance.now() - started })
            }
          })
        }),
    ),
  )
  return { joins, close: () => sb.realtime.disconnect() }
}
