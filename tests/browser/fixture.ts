import { randomUUID } from 'node:crypto'
import type { Browser } from 'playwright-core'
import postgres from 'postgres'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { launchBrowser } from './browser.ts'

/**
 * A restaurant of the browser tests' own (the other suites run at the same time on the seeded ones): two
 * stations, a manager, expo, a cook per station, a server, four tables and a small menu. Removed afterwards.
 */
export const PASSWORD = 'plater-browser'

export interface BrowserRestaurant {
  id: string
  name: string
  stations: { grill: string; fry: string }
  emails: { manager: string; expo: string; grill: string; fry: string; server: string }
  userIds: string[]
  drop(): Promise<void>
}

export async function createBrowserRestaurant(dbUrl: string): Promise<BrowserRestaurant> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  const tag = randomUUID().slice(0, 8)
  const id = randomUUID()
  const stations = { grill: randomUUID(), fry: randomUUID() }
  const people = [
    { key: 'manager', role: 'manager', station: null, name: 'Maya (manager)' },
    { key: 'expo', role: 'expo', station: null, name: 'Eli (expo)' },
    { key: 'grill', role: 'cook', station: stations.grill, name: 'Gus (grill)' },
    { key: 'fry', role: 'cook', station: stations.fry, name: 'Fay (fry)' },
    { key: 'server', role: 'server', station: null, name: 'Ana (server)' },
  ] as const
  const users = people.map((person) => ({
    ...person,
    id: randomUUID(),
    email: `browser-${tag}-${person.key}@bistro.test`,
  }))
  try {
    await sql.begin(async (tx) => {
      for (const user of users) {
        await tx`insert into auth.users (id, email, encrypted_password, email_confirmed_at)
                 values (${user.id}, ${user.email}, extensions.crypt(${PASSWORD}, extensions.gen_salt('bf', 4)), now())`
      }
      await tx`insert into public.restaurants (id, name) values (${id}, ${'Browser Bistro ' + tag})`
      await tx`insert into public.stations (id, restaurant_id, slug, name)
               values (${stations.grill}, ${id}, 'grill', 'Grill'), (${stations.fry}, ${id}, 'fry', 'Fry')`
      for (const user of users) {
        await tx`insert into public.staff (user_id, restaurant_id, role, station_id, display_name)
                 values (${user.id}, ${id}, ${user.role}, ${user.station}, ${user.name})`
      }
      await tx`insert into public.dining_tables (restaurant_id, label, seats)
               select ${id}, 'T' || n, 4 from generate_series(1, 4) n`
      await tx`insert into public.menu_items (restaurant_id, station_id, name, price_cents) values
                 (${id}, ${stations.grill}, 'Ribeye 300g', 3400), (${id}, ${stations.grill}, 'Burger', 1600),
                 (${id}, ${stations.fry}, 'Fries', 500), (${id}, ${stations.fry}, 'Calamari', 1200)`
    })
  } catch (error) {
    await sql.end()
    throw error
  }
  const emails = Object.fromEntries(
    users.map((user) => [user.key, user.email]),
  ) as BrowserRestaurant['emails']
  return {
    id,
    name: `Browser Bistro ${tag}`,
    stations,
    emails,
    userIds: users.map((user) => user.id),
    async drop() {
      try {
        await sql`delete from public.restaurants where id = ${id}`
        await sql`delete from auth.users where id = any(${users.map((user) => user.id)}::uuid[])`
      } finally {
        await sql.end()
      }
    },
  }
}

/**
 * The hooks every browser suite needs: one Chromium for the file, and a restaurant of its own for each test (so
 * the tests of a file can shuffle and never see each other's tickets). Read `browser` and `restaurant` inside tests.
 */
export function browserTestbed(
  dbUrl: string,
): { readonly browser: Browser; readonly restaurant: BrowserRestaurant } {
  const bed = {} as { browser: Browser; restaurant: BrowserRestaurant }
  beforeAll(async () => {
    bed.browser = await launchBrowser()
  })
  afterAll(async () => {
    await bed.browser?.close()
  })
  beforeEach(async () => {
    bed.restaurant = await createBrowserRestaurant(dbUrl)
  })
  afterEach(async () => {
    await bed.restaurant?.drop()
  })
  return bed
}
