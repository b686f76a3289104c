// `plater simulate` against the test stack: a restaurant of each test's own (so no other test's service moves), the
// real CLI in a child process, orders flowing from seating to a cleared table — every step through the edge
// functions by the staff member whose part it is — Ctrl-C stopping it cleanly with a summary, and the staff signed
// in once across runs (their sessions kept).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import postgres, { type Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_PASSWORD } from '../helpers/seed.ts'
import { testStack } from '../helpers/stack-env.ts'

let sql: Sql
let child: ChildProcess | undefined

beforeAll(() => {
  sql = postgres(testStack().dbUrl, { max: 2, onnotice: () => {} })
})

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  await sql.end()
})

interface Restaurant {
  id: string
  /** user id by first name */
  staff: Record<string, string>
}

/**
 * A restaurant of the test's own: the tests run in random order, so one test's half-finished service must not be
 * what another's simulator finds.
 */
async function openRestaurant(): Promise<Restaurant> {
  const restaurant = randomUUID()
  const tag = restaurant.slice(0, 8)
  const staff: Record<string, string> = {}
  await sql.begin(async (tx) => {
    await tx`insert into public.restaurants (id, name) values (${restaurant}, ${`Sim ${tag}`})`
    const [grill] =
      await tx`insert into public.stations (restaurant_id, slug, name) values (${restaurant}, 'grill', 'Grill') returning id`
    const [bar] =
      await tx`insert into public.stations (restaurant_id, slug, name) values (${restaurant}, 'bar', 'Bar') returning id`
    const people: [string, string, string | null][] = [
      ['manager', 'manager', null],
      ['expo', 'expo', null],
      ['cook', 'cook', grill!.id],
      ['ana', 'server', null],
      ['ben', 'server', null],
    ]
    for (const [name, role, station] of people) {
      const id = randomUUID()
      staff[name] = id
      await tx`insert into auth.users (id, email, encrypted_password, email_confirmed_at)
               values (${id}, ${`${name}-${tag}@sim.test`}, extensions.crypt(${SEED_PASSWORD}, extensions.gen_salt('bf', 4)), now())`
      await tx`insert into public.staff (user_id, restaurant_id, role, station_id, display_name)
               values (${id}, ${restaurant}, ${role}, ${station}, ${`${name} (sim)`})`
    }
    for (const label of ['S1', 'S2', 'S3', 'S4']) {
      await tx`insert into public.dining_tables (restaurant_id, label, seats) values (${restaurant}, ${label}, 4)`
    }
    for (
      const [name, station, price] of [['Steak', grill!.id, 2500], ['Burger', grill!.id, 1500], [
        'Beer',
        bar!.id,
        600,
      ]] as const
    ) {
      await tx`insert into public.menu_items (restaurant_id, station_id, name, price_cents) values (${restaurant}, ${station}, ${name}, ${price})`
    }
  })
  return { id: restaurant, staff }
}

/** Polls `check` until it holds (the simulator runs on its own clock); fails with `what` if it never does. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 90_000; waited += 250) {
    if (await check()) return
    if (child?.exitCode !== null) throw new Error(`the simulator exited (${child?.exitCode}) before: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`never happened: ${what}`)
}

/** `plater simulate` on the test's restaurant, in a child process as a developer's shell runs it. */
function simulate(restaurant: Restaurant, seed: number): { output: () => string } {
  let output = ''
  child = spawn(process.execPath, [
    join(import.meta.dirname, '../../stack/bin/plater.mjs'),
    'simulate',
    '--rate',
    '40/s',
    '--restaurant',
    restaurant.id,
    '--seed',
    String(seed),
  ], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  return { output: () => output }
}

/** Ctrl-C: the simulator must stop cleanly. */
async function interrupt(): Promise<void> {
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))
  child!.kill('SIGINT')
  expect(await exited).toBe(0)
}

async function writes(restaurant: Restaurant): Promise<number> {
  const [row] = await sql<
    { n: number }[]
  >`select count(*)::int as n from public.status_history where restaurant_id = ${restaurant.id}`
  return row!.n
}

/** The auth sessions of the test's staff (the local auth's own table, stack/auth/schema.ts). */
async function sessions(restaurant: Restaurant): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from plater_stack_auth.sessions where user_id in ${
    sql(Object.values(restaurant.staff))
  } order by id`
  return rows.map((row) => row.id)
}

describe('plater simulate', () => {
  it('acts out a service through the functions as the restaurant’s staff, and stops cleanly on Ctrl-C', {
    timeout: 120_000,
  }, async () => {
    const restaurant = await openRestaurant()
    const { staff } = restaurant
    const { output } = simulate(restaurant, 7)

    // a whole service: an order served to its table and the table cleared (its orders closed)
    await until(
      'an order is closed by clearing its table',
      async () =>
        (await sql`select 1 from public.orders where restaurant_id = ${restaurant.id} and status = 'closed'`)
          .length > 0,
    )

    await interrupt()
    expect(output()).toMatch(/^Simulating Sim /m)
    expect(output()).toMatch(/Stopped after \d+ ticks: \d+ actions \(.*seat \d+.*\), \d+ refused\./)

    // every step went through an RPC as a staff member whose part it is (the history records who acted)
    const steps = await sql<{ entity: string; to_status: string; actor: string | null }[]>`
      select entity, to_status, actor from public.status_history where restaurant_id = ${restaurant.id}`
    const actors = (entity: string, status: string) =>
      new Set(steps.filter((s) => s.entity === entity && s.to_status === status).map((s) => s.actor))
    expect(steps.every((s) => s.actor !== null)).toBe(true)
    expect([...actors('table', 'seated')].every((a) => a === staff.ana || a === staff.ben)).toBe(true)
    expect([...actors('order', 'open')].every((a) => a === staff.ana || a === staff.ben)).toBe(true)
    expect(actors('item', 'preparing').size).toBeGreaterThan(0)
    expect([...actors('item', 'preparing')].every((a) => a === staff.cook || a === staff.expo)).toBe(true)
    expect([...actors('item', 'served')]).toEqual([staff.expo])
    expect([...actors('table', 'free')].every((a) => a === staff.ana || a === staff.ben)).toBe(true)
  })

  it(
    'signs the staff in once: a later run refreshes their kept sessions, and signs in again when those are gone',
    { timeout: 120_000 },
    async () => {
      const restaurant = await openRestaurant()
      const run = async (seed: number) => {
        const before = await writes(restaurant)
        simulate(restaurant, seed)
        await until('the service moves', async () => (await writes(restaurant)) > before)
        await interrupt()
      }
      await run(21)
      const first = await sessions(restaurant)
      expect(first.length).toBeGreaterThan(0)
      await run(22)
      expect(await sessions(restaurant), 'the second run opened no session: nobody signed in').toEqual(first)

      await sql`delete from plater_stack_auth.sessions where id in ${sql(first)}` // as after a reset
      await run(23)
      expect((await sessions(restaurant)).length).toBe(first.length)
    },
  )
})
