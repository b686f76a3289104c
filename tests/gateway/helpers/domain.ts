import { randomUUID } from 'node:crypto'
import type { Sql } from 'postgres'
import { asUser, SEED } from './stack.ts'

/**
 * Rows of its own for each test, so test files running in parallel (and other suites) never fight over a
 * seeded table or staff member.
 */

/** A fresh table in the Demo Bistro, seated by server Ana. */
export async function seatedTable(sql: Sql): Promise<string> {
  const [table] = await sql<{ id: string }[]>`
    insert into public.dining_tables (restaurant_id, label, seats)
    values (${SEED.bistro}, ${`gw-${randomUUID().slice(0, 8)}`}, 4)
    returning id`
  await asUser(sql, SEED.users.ana.id, (tx) => tx`select public.seat_table(${table!.id}::uuid, 2)`)
  return table!.id
}

/** Ana orders `names` (menu items of the Demo Bistro) for the table; returns the order id. */
export async function placeOrder(sql: Sql, tableId: string, names: string[]): Promise<string> {
  const menu = await sql<{ id: string; name: string }[]>`
    select id, name from public.menu_items where restaurant_id = ${SEED.bistro} and name in ${sql(names)}`
  const items = names.map((name) => ({ menu_item_id: menu.find((m) => m.name === name)!.id, qty: 1 }))
  const [result] = await asUser(
    sql,
    SEED.users.ana.id,
    (tx) =>
      tx<{ result: { order: { id: string } } }[]>`
      select public.place_order(${tableId}::uuid, ${sql.json(items)}) as result`,
  )
  return result!.result.order.id
}

/** A new active staff member of the Demo Bistro (with an auth user), for tests that change staff rows. */
export async function newStaff(
  sql: Sql,
  role: 'server' | 'expo' | 'manager',
): Promise<{ id: string; email: string }> {
  const id = randomUUID()
  const email = `gw-${id.slice(0, 8)}@bistro.test`
  await sql`insert into auth.users (id, email) values (${id}, ${email})`
  await sql`insert into public.staff (user_id, restaurant_id, role, display_name)
            values (${id}, ${SEED.bistro}, ${role}, ${email})`
  return { id, email }
}
