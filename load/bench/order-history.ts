import type { Sql } from 'postgres'

/** Enough history that orders and order_items are many pages long, whatever the number of restaurants. */
export const HISTORY_PER_TABLE = 20

/**
 * Past service for throw-away restaurants: `perTable` closed orders of two served dishes on every table.
 *
 * A service that has run for a while has order history; freshly seeded restaurants have none, so orders and
 * order_items start out a few pages long. Every session of the write path keeps generic plans
 * (plan_cache_mode = force_generic_plan), planned once against the tables as they were: against near-empty
 * tables those are sequential scans, which then scan ever longer tables for the whole run (measured with
 * load/standalone/write-cost/: backend CPU per write grew 1.5 → 2.5 ms over three runs, with ≈ 3 scans of orders
 * per write). A database with history is planned with its indexes, as a long-running service is.
 *
 * History is written as it would have been archived: with triggers off (`session_replication_role =
 * replica`, local to the transaction), so it is neither published nor logged again, and foreign keys are not
 * re-checked (the rows reference the restaurants' own tables, staff and menu).
 */
export async function seedOrderHistory(
  sql: Sql,
  restaurantIds: string[],
  perTable = HISTORY_PER_TABLE,
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`
    await tx`
      with placed as (
        insert into public.orders (restaurant_id, table_id, server_id, status, version, created_at, updated_at, closed_at)
        select t.restaurant_id, t.id, s.user_id, 'closed', 4, h.at, h.at, h.at
          from public.dining_tables t
          cross join lateral (select user_id from public.staff
                               where restaurant_id = t.restaurant_id and role = 'server' order by user_id limit 1) s
          cross join generate_series(1, ${perTable}::int) g
          cross join lateral (select now() - g * interval '1 hour' as at) h
         where t.restaurant_id = any(${restaurantIds}::uuid[])
        returning id, restaurant_id, created_at
      )
      insert into public.order_items (restaurant_id, order_id, station_id, menu_item_id, name, qty, status, version,
                                      fired_at, started_at, ready_at, created_at, updated_at)
      select p.restaurant_id, p.id, m.station_id, m.id, m.name, 1, 'served', 4,
             p.created_at, p.created_at, p.created_at, p.created_at, p.created_at
        from placed p
        cross join lateral (select * from public.menu_items m
                             where m.restaurant_id = p.restaurant_id order by random() limit 2) m`
  })
}
