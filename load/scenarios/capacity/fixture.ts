import type { Sql } from 'postgres'
import {
  type BenchRestaurant,
  type BenchStaff,
  removeBenchRestaurants,
  seedBenchRestaurants,
} from '../../bench/bench-restaurants.ts'
import { seedOrderHistory } from '../../bench/order-history.ts'
import type { CycleTable } from '../../bench/table-cycle.ts'
import type { System } from './options.ts'
import type { SocketSpec } from './subscribers.ts'

/**
 * The capacity scenario's restaurants, as the service scenario shapes them: 4 stations with a cook each, an
 * expo, a manager and servers (14 staff in the bench mix: 7 servers), 8 tables, past service. Each restaurant's
 * screens are its topics — kds per station, expo, floor, admin, one per server — and socket k is a screen of
 * topic k mod #topics with the token of a staff member who may read it. The peer's socket k is the same screen
 * on the restaurant's one topic.
 */
export const PREFIX = 'capbench-'
const STAFF_EACH = 14
const TABLES_EACH = 8

export interface Screen {
  readonly restaurant: BenchRestaurant
  readonly topic: string
  readonly role: 'cook' | 'expo' | 'floor' | 'manager' | 'server'
  readonly reader: BenchStaff
}

export interface Fixture {
  readonly restaurants: BenchRestaurant[]
  readonly screens: Screen[]
  /** Every table's service cycle, interleaved across restaurants (a table runs one step at a time). */
  readonly tables: CycleTable[]
}

function one(staff: BenchStaff[], keep: (s: BenchStaff) => boolean): BenchStaff {
  const found = staff.find(keep)
  if (!found) throw new Error('a bench restaurant lacks a role the capacity scenario needs')
  return found
}

function screensOf(r: BenchRestaurant): Screen[] {
  const servers = r.staff.filter((s) => s.role === 'server')
  return [
    ...r.stations.map((station) => ({
      restaurant: r,
      topic: `kds:${r.id}:${station}`,
      role: 'cook' as const,
      reader: one(r.staff, (s) => s.station === station),
    })),
    {
      restaurant: r,
      topic: `expo:${r.id}`,
      role: 'expo' as const,
      reader: one(r.staff, (s) => s.role === 'expo'),
    },
    { restaurant: r, topic: `floor:${r.id}`, role: 'floor' as const, reader: servers[0]! },
    {
      restaurant: r,
      topic: `admin:${r.id}`,
      role: 'manager' as const,
      reader: one(r.staff, (s) => s.role === 'manager'),
    },
    ...servers.map((s) => ({
      restaurant: r,
      topic: `server:${r.id}:${s.id}`,
      role: 'server' as const,
      reader: s,
    })),
  ]
}

/** The peer publishes each restaurant's changes on `crew:{restaurant}` (peer.sql says why that topic). */
export function peerTopic(restaurantId: string): string {
  return `crew:${restaurantId}`
}

export async function seedFixture(sql: Sql, jwtSecret: string, count: number): Promise<Fixture> {
  await removeBenchRestaurants(sql, PREFIX)
  const restaurants = await seedBenchRestaurants(sql, jwtSecret, PREFIX, count, STAFF_EACH, TABLES_EACH)
  await seedOrderHistory(sql, restaurants.map((r) => r.id))
  // What seeding wrote, analysed now rather than by autovacuum inside a measured step (a bench-only cost).
  await sql.unsafe(
    `vacuum (analyze) public.restaurants, public.staff, public.dining_tables, public.menu_items, public.orders,
    public.order_items, public.status_history, plater_private.topic_retention, plater_private.topic_log`,
  )
  let dish = 0
  const tables: CycleTable[] = []
  for (let k = 0; k < TABLES_EACH; k++) {
    for (const r of restaurants) {
      const servers = r.staff.filter((s) => s.role === 'server')
      tables.push({
        id: r.tables[k]!,
        server: servers[k % servers.length]!.id,
        nextDishes: () => [r.menu[dish++ % r.menu.length]!.id, r.menu[dish++ % r.menu.length]!.id],
        cookAt: (station) => one(r.staff, (s) => s.station === station).id,
      })
    }
  }
  return { restaurants, screens: restaurants.flatMap(screensOf), tables }
}

/** Socket k: screen k mod #screens, on its own topic (ours) or on its restaurant's one topic (the peer). */
export function socketSpecs(fixture: Fixture, sockets: number, system: System): SocketSpec[] {
  return Array.from({ length: sockets }, (_, k) => {
    const screen = fixture.screens[k % fixture.screens.length]!
    return {
      topic: system === 'ours' ? screen.topic : peerTopic(screen.restaurant.id),
      token: screen.reader.token,
      role: screen.role,
    }
  })
}

export function removeFixture(sql: Sql): Promise<number> {
  return removeBenchRestaurants(sql, PREFIX)
}
