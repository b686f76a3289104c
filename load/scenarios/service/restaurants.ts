import { randomUUID } from 'node:crypto'
import type { Sql } from 'postgres'
import { signAccessToken } from '../../../stack/testing/index.ts'

/**
 * The service benchmark's throw-away restaurants (names and users' emails start with `svcbench-`), each with 4
 * stations, a manager, an expo, a cook per station, 4 servers, 8 tables and a menu; the topics of each, who reads
 * each topic, and their access tokens.
 */
export const PREFIX = 'svcbench-'
const STATIONS = 4
export const SERVERS = 4
export const TABLES = 8

/** Deletes every throw-away row of this benchmark (restaurants cascade to everything they own). */
export async function cleanup(sql: Sql): Promise<number> {
  const ids = (await sql<{ id: string }[]>`select id from public.restaurants where name like ${PREFIX + '%'}`)
    .map(
      (r) => r.id,
    )
  if (ids.length > 0) {
    await sql`delete from plater_private.topic_log where split_part(topic, ':', 2) = any(${ids}::text[])`
    await sql`delete from plater_private.topic_retention where split_part(topic, ':', 2) = any(${ids}::text[])`
    await sql`delete from realtime.messages where split_part(topic, ':', 2) = any(${ids}::text[])`
    await sql`delete from public.restaurants where id = any(${ids}::uuid[])`
  }
  await sql`delete from auth.users where email like ${PREFIX + '%'}`
  return ids.length
}

/**
 * Vacuums what the previous run deleted and analyses what this one seeded, before anything is measured. Left to
 * autovacuum, both would land inside the measured window: a bench-only cost (a running service never deletes a
 * hundred restaurants' rows at once).
 */
export async function settle(sql: Sql): Promise<void> {
  await sql.unsafe(
    `vacuum (analyze) auth.users, public.restaurants, public.stations, public.staff, public.dining_tables,
    public.menu_items, public.orders, public.order_items, public.status_history, plater_private.topic_retention,
    plater_private.topic_log, realtime.messages`,
  )
}

export interface Restaurant {
  id: string
  manager: string
  expo: string
  stations: string[]
  cooks: string[]
  servers: string[]
  tables: string[]
  /** Two menu items per station. */
  menu: { id: string; station: number }[]
}

export async function seed(sql: Sql, count: number): Promise<Restaurant[]> {
  const restaurants: Restaurant[] = Array.from({ length: count }, () => ({
    id: randomUUID(),
    manager: randomUUID(),
    expo: randomUUID(),
    stations: Array.from({ length: STATIONS }, () => randomUUID()),
    cooks: Array.from({ length: STATIONS }, () => randomUUID()),
    servers: Array.from({ length: SERVERS }, () => randomUUID()),
    tables: Array.from({ length: TABLES }, () => randomUUID()),
    menu: Array.from({ length: STATIONS * 2 }, (_, k) => ({ id: randomUUID(), station: k % STATIONS })),
  }))
  const users: { id: string; email: string }[] = []
  const staff: {
    user_id: string
    restaurant_id: string
    role: string
    station_id: string | null
    display_name: string
  }[] = []
  restaurants.forEach((r, n) => {
    const add = (id: string, role: string, label: string, station: string | null) => {
      users.push({ id, email: `${PREFIX}${n}-${label}@bench.test` })
      staff.push({ user_id: id, restaurant_id: r.id, role, station_id: station, display_name: label })
    }
    add(r.manager, 'manager', 'manager', null)
    add(r.expo, 'expo', 'expo', null)
    r.cooks.forEach((id, k) => add(id, 'cook', `cook${k}`, r.stations[k]!))
    r.servers.forEach((id, k) => add(id, 'server', `server${k}`, null))
  })
  await sql.begin(async (tx) => {
    for (let i = 0; i < users.length; i += 1000) {
      await tx`insert into auth.users ${tx(users.slice(i, i + 1000))}`
    }
    await tx`insert into public.restaurants ${
      tx(restaurants.map((r, n) => ({ id: r.id, name: `${PREFIX}${n}` })))
    }`
    await tx`insert into public.stations ${
      tx(
        restaurants.flatMap((r) =>
          r.stations.map((id, k) => ({ id, restaurant_id: r.id, slug: `s${k}`, name: `Station ${k}` }))
        ),
      )
    }`
    for (let i = 0; i < staff.length; i += 1000) {
      await tx`insert into public.staff ${tx(staff.slice(i, i + 1000))}`
    }
    await tx`insert into public.dining_tables ${
      tx(
        restaurants.flatMap((r) =>
          r.tables.map((id, k) => ({ id, restaurant_id: r.id, label: `T${k + 1}`, seats: 4 }))
        ),
      )
    }`
    await tx`insert into public.menu_items ${
      tx(
        restaurants.flatMap((r) =>
          r.menu.map((m, k) => ({
            id: m.id,
            restaurant_id: r.id,
            station_id: r.stations[m.station]!,
            name: `Dish ${k}`,
            price_cents: 1000 + k,
          }))
        ),
      )
    }`
  })
  return restaurants
}

/** Topics per restaurant: kds per station, expo, floor, admin and one per server (11), and a staff member allowed to read each. */
export function topicsAndReaders(restaurants: Restaurant[]): { topics: string[]; readers: string[] } {
  const topics: string[] = []
  const readers: string[] = []
  for (const r of restaurants) {
    r.stations.forEach((s, k) => (topics.push(`kds:${r.id}:${s}`), readers.push(r.cooks[k]!)))
    topics.push(`expo:${r.id}`), readers.push(r.expo)
    topics.push(`floor:${r.id}`), readers.push(r.servers[0]!)
    topics.push(`admin:${r.id}`), readers.push(r.manager)
    for (const s of r.servers) topics.push(`server:${r.id}:${s}`), readers.push(s)
  }
  return { topics, readers }
}

/** An access token for every staff member, by user id (signed with the JWT secret, no sign-in). */
export async function staffTokens(
  restaurants: Restaurant[],
  jwtSecret: string,
): Promise<Map<string, string>> {
  const emails = new Map<string, string>()
  restaurants.forEach((r, n) => {
    emails.set(r.manager, `${PREFIX}${n}-manager@bench.test`)
    emails.set(r.expo, `${PREFIX}${n}-expo@bench.test`)
    r.cooks.forEach((id, k) => emails.set(id, `${PREFIX}${n}-cook${k}@bench.test`))
    r.servers.forEach((id, k) => emails.set(id, `${PREFIX}${n}-server${k}@bench.test`))
  })
  const tokens = new Map<string, string>()
  for (const [id, email] of emails) tokens.set(id, await signAccessToken(jwtSecret, { id, email }))
  return tokens
}
