import { randomUUID } from 'node:crypto'
import type { Sql } from 'postgres'
import { signAccessToken } from '../../stack/testing/index.ts'
import { STAFF_MIX } from '../k6/scenarios.js'

/**
 * Throw-away restaurants staffed in a real restaurant's proportions (STAFF_MIX), for scenarios that need many
 * users: rows named with a prefix, deleted at the start (a run that died) and at the end.
 */
export interface BenchStaff {
  readonly id: string
  readonly email: string
  readonly role: 'server' | 'cook' | 'expo' | 'manager'
  readonly station: string | null
  readonly token: string
}

export interface BenchRestaurant {
  readonly id: string
  readonly stations: string[]
  readonly tables: string[]
  /** Two dishes per station. */
  readonly menu: { id: string; station: string }[]
  readonly staff: BenchStaff[]
}

const STATIONS = 4

/** Staff of one restaurant by role, from STAFF_MIX (at least one of each). */
function roster(size: number): BenchStaff['role'][] {
  return (Object.entries(STAFF_MIX) as [BenchStaff['role'], number][]).flatMap(([role, share]) =>
    Array.from({ length: Math.max(1, Math.round(share * size)) }, () => role)
  )
}

export async function removeBenchRestaurants(sql: Sql, prefix: string): Promise<number> {
  const ids = (await sql<{ id: string }[]>`select id from public.restaurants where name like ${`${prefix}%`}`)
    .map((r) => r.id)
  if (ids.length > 0) {
    await sql`delete from plater_private.topic_log where split_part(topic, ':', 2) = any(${ids}::text[])`
    await sql`delete from plater_private.topic_retention where split_part(topic, ':', 2) = any(${ids}::text[])`
    await sql`delete from realtime.messages where split_part(topic, ':', 2) = any(${ids}::text[])`
    await sql`delete from public.restaurants where id = any(${ids}::uuid[])`
  }
  await sql`delete from auth.users where email like ${`${prefix}%`}`
  return ids.length
}

/** `count` restaurants of `staffEach` staff and `tablesEach` tables, with access tokens for every staff member. */
export async function seedBenchRestaurants(
  sql: Sql,
  jwtSecret: string,
  prefix: string,
  count: number,
  staffEach: number,
  tablesEach: number,
): Promise<BenchRestaurant[]> {
  const roles = roster(staffEach)
  const restaurants = await Promise.all(
    Array.from({ length: count }, async (_, n): Promise<BenchRestaurant> => {
      const stations = Array.from({ length: STATIONS }, () => randomUUID())
      let cooks = 0
      const staff = await Promise.all(
        roles.map(async (role, k) => {
          const id = randomUUID()
          const email = `${prefix}${n}-${role}${k}@bench.test`
          const station = role === 'cook' ? stations[cooks++ % STATIONS]! : null
          return { id, email, role, station, token: await signAccessToken(jwtSecret, { id, email }) }
        }),
      )
      return {
        id: randomUUID(),
        stations,
        tables: Array.from({ length: tablesEach }, () => randomUUID()),
        menu: Array.from(
          { length: STATIONS * 2 },
          (_, k) => ({ id: randomUUID(), station: stations[k % STATIONS]! }),
        ),
        staff,
      }
    }),
  )
  await sql.begin(async (tx) => {
    const users = restaurants.flatMap((r) => r.staff.map((s) => ({ id: s.id, email: s.email })))
    for (let i = 0; i < users.length; i += 1000) {
      await tx`insert into auth.users ${tx(users.slice(i, i + 1000))}`
    }
    await tx`insert into public.restaurants ${
      tx(restaurants.map((r, n) => ({ id: r.id, name: `${prefix}${n}` })))
    }`
    await tx`insert into public.stations ${
      tx(restaurants.flatMap((r) =>
        r.stations.map((id, k) => ({ id, restaurant_id: r.id, slug: `s${k}`, name: `Station ${k}` }))
      ))
    }`
    const staff = restaurants.flatMap((r) =>
      r.staff.map((s) => ({
        user_id: s.id,
        restaurant_id: r.id,
        role: s.role,
        station_id: s.station,
        display_name: s.email.split('@')[0]!,
      }))
    )
    for (let i = 0; i < staff.length; i += 1000) {
      await tx`insert into public.staff ${tx(staff.slice(i, i + 1000))}`
    }
    await tx`insert into public.dining_tables ${
      tx(restaurants.flatMap((r) =>
        r.tables.map((id, k) => ({ id, restaurant_id: r.id, label: `T${k + 1}`, seats: 4 }))
      ))
    }`
    await tx`insert into public.menu_items ${
      tx(
        restaurants.flatMap((r) =>
          r.menu.map((m, k) => ({
            id: m.id,
            restaurant_id: r.id,
            station_id: m.station,
            name: `Dish ${k}`,
            price_cents: 1000 + k,
          }))
        ),
      )
    }`
  })
  return restaurants
}
