-- Row-level security: every table has RLS on, API roles read only what docs/architecture.md ("The database") allows
-- (a role × table matrix over both restaurants), and nobody writes a table directly (writes go through RPCs).
begin;
\ir helpers/act_as.sql

select plan(267);

-- ---------------------------------------------------------------------------------------------------------
-- Fixtures: orders for both bistro servers and the diner's server, one item started, plus an inactive cook
-- and an auth user without a staff row.
-- ---------------------------------------------------------------------------------------------------------
do $$
begin
  perform tests.act_as('server.ana@bistro.test');
  perform public.seat_table(tests.table_id(tests.bistro(), 'T1'), 2);
  perform public.place_order(tests.table_id(tests.bistro(), 'T1'), jsonb_build_array(
    tests.line(tests.bistro(), 'Burger'), tests.line(tests.bistro(), 'Fries'), tests.line(tests.bistro(), 'Caesar Salad')));
  perform tests.act_as('server.ben@bistro.test');
  perform public.seat_table(tests.table_id(tests.bistro(), 'T2'), 4);
  perform public.place_order(tests.table_id(tests.bistro(), 'T2'), jsonb_build_array(
    tests.line(tests.bistro(), 'Ribeye 300g'), tests.line(tests.bistro(), 'Negroni', 2)));
  perform tests.act_as('server.cy@diner.test');
  perform public.seat_table(tests.table_id(tests.diner(), 'D1'), 3);
  perform public.place_order(tests.table_id(tests.diner(), 'D1'), jsonb_build_array(
    tests.line(tests.diner(), 'Diner Burger'), tests.line(tests.diner(), 'Milkshake')));
  perform tests.act_as('cook.grill@diner.test');
  perform public.start_item((select id from public.order_items where name = 'Diner Burger'));
  perform tests.reset_role();
end;
$$;

insert into public.staff (user_id, restaurant_id, role, station_id, display_name, active)
values (tests.create_user('inactive.cook@bistro.test'), tests.bistro(), 'cook',
        tests.station_id(tests.bistro(), 'grill'), 'Ina (inactive)', false);
select tests.create_user('nostaff@bistro.test') is not null as created \gset

-- Each table's key, for comparing what an actor sees with what the rules say they may see.
create temp table rls_tables (tbl text primary key, key text not null);
insert into rls_tables values
  ('restaurants', 'id'), ('stations', 'id'), ('staff', 'user_id'), ('dining_tables', 'id'),
  ('menu_items', 'id'), ('orders', 'id'), ('order_items', 'id'), ('status_history', 'id');
grant select on rls_tables to authenticated, anon;

-- What the actor sees: the sorted keys of every row the table returns under their role and claims.
create function tests.visible_keys(email text, tbl text) returns text[]
language plpgsql
as $$
declare
  keys text[];
begin
  perform tests.act_as(email);
  execute format('select coalesce(array_agg(%I::text order by %I::text), ''{}'') from public.%I',
                 (select key from rls_tables r where r.tbl = visible_keys.tbl),
                 (select key from rls_tables r where r.tbl = visible_keys.tbl), tbl)
    into keys;
  perform tests.reset_role();
  return keys;
end;
$$;

-- What the rules (docs/architecture.md, "The database": deny by default) say the actor may see, computed as the
-- owner. Written as the rule in words, not as a copy of the policies:
--   everyone (active staff) — their restaurant, its stations, its menu, their own staff row;
--   manager — all their restaurant's staff, tables, orders, items and status history;
--   expo    — their restaurant's tables, orders and items;
--   server  — their restaurant's tables, their own orders and those orders' items;
--   cook    — only the items of their station; no tables, no orders;
--   inactive staff and users without a staff row — nothing.
create function tests.expected_keys(email text, tbl text) returns text[]
language plpgsql
as $$
declare
  me public.staff;
  keys text[];
begin
  select s.* into me from public.staff s where s.user_id = tests.user_id(email) and s.active;
  if me.user_id is null then
    return '{}';
  end if;
  keys := case tbl
    when 'restaurants' then array(select id::text from public.restaurants where id = me.restaurant_id)
    when 'stations' then array(select id::text from public.stations where restaurant_id = me.restaurant_id)
    when 'menu_items' then array(select id::text from public.menu_items where restaurant_id = me.restaurant_id)
    when 'staff' then array(select user_id::text from public.staff
                             where user_id = me.user_id
                                or (me.role = 'manager' and restaurant_id = me.restaurant_id))
    when 'dining_tables' then array(select id::text from public.dining_tables
                                     where restaurant_id = me.restaurant_id and me.role <> 'cook')
    when 'orders' then array(select id::text from public.orders
                              where restaurant_id = me.restaurant_id
                                and (me.role in ('expo', 'manager') or (me.role = 'server' and server_id = me.user_id)))
    when 'order_items' then array(select i.id::text from public.order_items i join public.orders o on o.id = i.order_id
                                   where i.restaurant_id = me.restaurant_id
                                     and (me.role in ('expo', 'manager')
                                          or (me.role = 'cook' and i.station_id = me.station_id)
                                          or (me.role = 'server' and o.server_id = me.user_id)))
    when 'status_history' then array(select id::text from public.status_history
                                       where restaurant_id = me.restaurant_id and me.role = 'manager')
  end;
  return coalesce((select array_agg(k order by k) from unnest(keys) k), '{}');
end;
$$;

create temp table actors (email text primary key);
insert into actors values
  ('manager@bistro.test'), ('expo@bistro.test'), ('cook.grill@bistro.test'), ('cook.fry@bistro.test'),
  ('server.ana@bistro.test'), ('server.ben@bistro.test'), ('manager@diner.test'), ('cook.grill@diner.test'),
  ('server.cy@diner.test'), ('inactive.cook@bistro.test'), ('nostaff@bistro.test');

-- ---------------------------------------------------------------------------------------------------------
-- RLS is on for every table, with exactly the expected policies.
-- ---------------------------------------------------------------------------------------------------------
select tables_are('public', array['restaurants', 'stations', 'staff', 'dining_tables', 'menu_items', 'orders',
                                  'order_items', 'status_history'], 'public holds exactly the domain tables');
select tables_are('plater_private', array['topic_retention', 'topic_log', 'idempotency_keys', 'topic_epoch'],
                  'plater_private holds exactly the private tables');
select is_empty($$
  select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ('public', 'plater_private') and c.relkind in ('r', 'p') and not c.relrowsecurity
$$, 'every table in public and plater_private has row level security enabled');
select ok((select relrowsecurity from pg_class where oid = format('public.%I', tbl)::regclass),
          format('RLS is enabled on public.%s', tbl))
  from rls_tables order by tbl;
select ok((select relrowsecurity from pg_class where oid = format('plater_private.%I', tbl)::regclass),
          format('RLS is enabled on plater_private.%s', tbl))
  from unnest(array['topic_retention', 'topic_log', 'idempotency_keys', 'topic_epoch']) tbl;

select policies_are('public', 'restaurants', array['staff read their restaurant'], 'restaurants: one read policy');
select policies_are('public', 'stations', array['staff read their restaurant''s stations'], 'stations: one read policy');
select policies_are('public', 'staff', array['staff read their own row', 'managers read their restaurant''s staff'],
                    'staff: own row, and managers their restaurant');
select policies_are('public', 'dining_tables', array['floor staff read their restaurant''s tables'],
                    'dining_tables: one read policy');
select policies_are('public', 'menu_items', array['staff read their restaurant''s menu'], 'menu_items: one read policy');
select policies_are('public', 'orders', array['servers read their own orders',
                                              'expo and managers read their restaurant''s orders'],
                    'orders: servers own, expo/manager restaurant');
select policies_are('public', 'order_items', array['cooks read their station''s items',
                                                   'servers read the items of their own orders',
                                                   'expo and managers read their restaurant''s items'],
                    'order_items: cooks station, servers own orders, expo/manager restaurant');
select policies_are('public', 'status_history', array['managers read their restaurant''s history'],
                    'status_history: managers only');
select policies_are('plater_private', tbl, '{}'::name[], format('plater_private.%s has no policy: deny all', tbl))
  from unnest(array['topic_retention', 'topic_log', 'idempotency_keys', 'topic_epoch']) tbl;
select is_empty($$
  select policyname from pg_policies
   where schemaname in ('public', 'plater_private') and (cmd <> 'SELECT' or roles <> '{authenticated}')
$$, 'every domain policy is a SELECT policy for authenticated only (no write policies, nothing for anon)');

-- Grants: authenticated may SELECT (under RLS) and nothing else; anon nothing; private tables nobody.
select table_privs_are('public', tbl, 'authenticated', array['SELECT'],
                       format('authenticated has only SELECT on public.%s', tbl))
  from rls_tables order by tbl;
select table_privs_are('public', tbl, 'anon', '{}'::text[], format('anon has no privilege on public.%s', tbl))
  from rls_tables order by tbl;
select table_privs_are('plater_private', tbl, r, '{}'::text[], format('%s has no privilege on plater_private.%s', r, tbl))
  from unnest(array['topic_retention', 'topic_log', 'idempotency_keys', 'topic_epoch']) tbl, unnest(array['anon', 'authenticated']) r;

-- ---------------------------------------------------------------------------------------------------------
-- The read matrix: every actor × every table sees exactly what the rules allow.
-- ---------------------------------------------------------------------------------------------------------
select is(tests.visible_keys(a.email, t.tbl), tests.expected_keys(a.email, t.tbl),
          format('%s reads exactly the allowed rows of %s', a.email, t.tbl))
  from actors a cross join rls_tables t
 order by a.email, t.tbl;

-- The matrix is not vacuous: spot checks with literal numbers from the fixtures.
select is(cardinality(tests.visible_keys('cook.grill@bistro.test', 'order_items')), 2,
          'the bistro grill cook sees the two grill items (Burger, Ribeye)');
select is(cardinality(tests.visible_keys('cook.fry@bistro.test', 'order_items')), 1, 'the fry cook sees the Fries only');
select is(cardinality(tests.visible_keys('server.ana@bistro.test', 'order_items')), 3, 'Ana sees the 3 items of her order');
select is(cardinality(tests.visible_keys('server.ana@bistro.test', 'orders')), 1, 'Ana sees her one order');
select is(cardinality(tests.visible_keys('expo@bistro.test', 'order_items')), 5, 'expo sees all 5 bistro items');
select is(cardinality(tests.visible_keys('manager@diner.test', 'order_items')), 2, 'the diner manager sees the 2 diner items');
select is(cardinality(tests.visible_keys('server.ana@bistro.test', 'dining_tables')), 12, 'servers see all 12 bistro tables');
select is(cardinality(tests.visible_keys('cook.grill@bistro.test', 'dining_tables')), 0, 'cooks see no tables');
select is(cardinality(tests.visible_keys('cook.grill@bistro.test', 'orders')), 0, 'cooks see no orders');
select is(cardinality(tests.visible_keys('manager@bistro.test', 'staff')), 7,
          'the bistro manager sees all 7 bistro staff rows (including the inactive cook)');
select is(cardinality(tests.visible_keys('expo@bistro.test', 'staff')), 1, 'expo sees only their own staff row');
select ok(cardinality(tests.visible_keys('manager@bistro.test', 'status_history')) >= 5,
          'the bistro manager sees the bistro status history');
select is(cardinality(tests.visible_keys('expo@bistro.test', 'status_history')), 0, 'expo sees no status history');
select is(tests.visible_keys('manager@diner.test', 'restaurants'), array[tests.diner()::text],
          'the diner manager sees only Other Diner');
select is(cardinality(tests.visible_keys('inactive.cook@bistro.test', 'staff')), 0,
          'an inactive cook cannot even read their own staff row');
select is(cardinality(tests.visible_keys('nostaff@bistro.test', 'menu_items')), 0,
          'a signed-in user without a staff row sees no menu');

-- Cross-tenant: nothing of the other restaurant, whatever the role.
select tests.act_as('manager@bistro.test');
select is_empty($$
  select 'restaurant' from public.restaurants where id = tests.diner()
  union all select 'station' from public.stations where restaurant_id = tests.diner()
  union all select 'staff' from public.staff where restaurant_id = tests.diner()
  union all select 'table' from public.dining_tables where restaurant_id = tests.diner()
  union all select 'menu' from public.menu_items where restaurant_id = tests.diner()
  union all select 'order' from public.orders where restaurant_id = tests.diner()
  union all select 'item' from public.order_items where restaurant_id = tests.diner()
  union all select 'history' from public.status_history where restaurant_id = tests.diner()
$$, 'the bistro manager reads no row of Other Diner in any table');
select tests.act_as('manager@diner.test');
select is_empty($$
  select 'restaurant' from public.restaurants where id = tests.bistro()
  union all select 'station' from public.stations where restaurant_id = tests.bistro()
  union all select 'staff' from public.staff where restaurant_id = tests.bistro()
  union all select 'table' from public.dining_tables where restaurant_id = tests.bistro()
  union all select 'menu' from public.menu_items where restaurant_id = tests.bistro()
  union all select 'order' from public.orders where restaurant_id = tests.bistro()
  union all select 'item' from public.order_items where restaurant_id = tests.bistro()
  union all select 'history' from public.status_history where restaurant_id = tests.bistro()
$$, 'the diner manager reads no row of Demo Bistro in any table');

-- Roles come from staff rows, not from JWT claims: a claim saying "manager" changes nothing.
select tests.act_as('cook.grill@bistro.test');
select set_config('request.jwt.claims', (current_setting('request.jwt.claims')::jsonb
  || jsonb_build_object('user_role', 'manager', 'app_metadata', jsonb_build_object('role', 'manager', 'restaurant_id', tests.diner())))::text, true);
select is((select count(*) from public.orders), 0::bigint, 'a cook claiming to be a manager in the JWT still reads no orders');
select tests.reset_role();

-- Deactivating a staff row revokes access on the next query, with the same token.
select tests.act_as('server.ana@bistro.test');
select is((select count(*) from public.orders), 1::bigint, 'Ana reads her order while active');
select tests.reset_role();
update public.staff set active = false where user_id = tests.user_id('server.ana@bistro.test');
select tests.act_as('server.ana@bistro.test');
select is((select count(*) from public.orders) + (select count(*) from public.order_items)
          + (select count(*) from public.dining_tables) + (select count(*) from public.restaurants), 0::bigint,
          'deactivated, Ana reads nothing any more');
select tests.reset_role();
update public.staff set active = true where user_id = tests.user_id('server.ana@bistro.test');

-- ---------------------------------------------------------------------------------------------------------
-- anon reads nothing: no privilege on any table (42501), public or private.
-- ---------------------------------------------------------------------------------------------------------
select tests.act_as_anon();
select throws_ok(format('select * from public.%I', tbl), '42501', null, format('anon may not read public.%s', tbl))
  from rls_tables order by tbl;
select tests.reset_role();

-- The private tables are unreadable for every API role.
select tests.act_as('manager@bistro.test');
select throws_ok(format('select * from plater_private.%I', tbl), '42501', null,
                 format('a manager may not read plater_private.%s', tbl))
  from unnest(array['topic_retention', 'topic_log', 'idempotency_keys', 'topic_epoch']) tbl;
select tests.act_as_anon();
select throws_ok(format('select * from plater_private.%I', tbl), '42501', null,
                 format('anon may not read plater_private.%s', tbl))
  from unnest(array['topic_retention', 'topic_log', 'idempotency_keys', 'topic_epoch']) tbl;
select tests.reset_role();

-- ---------------------------------------------------------------------------------------------------------
-- No direct writes: INSERT, UPDATE and DELETE are refused (42501) on every table for every API role; the
-- RPCs are the only write path.
-- ---------------------------------------------------------------------------------------------------------
create temp table dml (op text, stmt text);
insert into dml values
  ('INSERT', 'insert into %1$s default values'),
  ('UPDATE', 'update %1$s set %2$I = %2$I'),
  ('DELETE', 'delete from %1$s');
grant select on dml to authenticated, anon;

create temp table all_tables (qualified text, key text);
-- status_history.id is an identity column (428C9 before any privilege check), so update another column there
insert into all_tables select 'public.' || tbl, case tbl when 'status_history' then 'entity' else key end from rls_tables;
insert into all_tables values ('plater_private.topic_retention', 'topic'), ('plater_private.topic_log', 'topic'),
                              ('plater_private.idempotency_keys', 'key');
grant select on all_tables to authenticated, anon;

select tests.act_as('manager@bistro.test');
select throws_ok(format(d.stmt, t.qualified, t.key), '42501', null,
                 format('a manager may not %s %s directly', d.op, t.qualified))
  from all_tables t cross join dml d order by t.qualified, d.op;
select tests.act_as('server.ana@bistro.test');
select throws_ok(format(d.stmt, t.qualified, t.key), '42501', null,
                 format('a server may not %s %s directly', d.op, t.qualified))
  from all_tables t cross join dml d where t.qualified like 'public.%' order by t.qualified, d.op;
select tests.act_as_anon();
select throws_ok(format(d.stmt, t.qualified, t.key), '42501', null,
                 format('anon may not %s %s directly', d.op, t.qualified))
  from all_tables t cross join dml d where t.qualified like 'public.%' order by t.qualified, d.op;
select tests.reset_role();

select is((select count(*) from public.orders where restaurant_id = tests.bistro()), 2::bigint,
          'after all the refused writes the bistro still has its 2 orders');

-- ---------------------------------------------------------------------------------------------------------
-- Function grants: anon executes no RPC; authenticated executes the RPCs and, of the private helpers, only
-- the ones policies call. In particular nobody can call plater_private.publish to forge a message.
-- ---------------------------------------------------------------------------------------------------------
select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'public' and p.prosecdef and has_function_privilege('anon', p.oid, 'execute')
$$, 'anon may execute no SECURITY DEFINER function in public');
select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'plater_private' and has_function_privilege('anon', p.oid, 'execute')
$$, 'anon may execute no function in plater_private');
select set_eq($$
  select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'plater_private' and has_function_privilege('authenticated', p.oid, 'execute')
$$, array['my_restaurant', 'my_role', 'my_station', 'can_read_topic', 'can_write_topic', 'require_staff'],
   'authenticated may execute only the policy helpers in plater_private');
select set_eq($$
  select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'public' and p.prosecdef and has_function_privilege('authenticated', p.oid, 'execute')
$$, array['place_order', 'add_items', 'fire_course', 'hold_course', 'start_item', 'finish_item', 'recall_item',
          'bump_ticket', 'void_item', 'cancel_order', 'mark_served', 'seat_table', 'clear_table',
          'set_rush', 'topic_snapshot', 'topic_events', 'topic_seq', 'topic_epoch'],
   'authenticated may execute exactly the write RPCs and the topic reads');
select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'plater_private') and p.prosecdef
     and not coalesce(array_to_string(p.proconfig, ',') like '%search_path=%', false)
$$, 'every SECURITY DEFINER function pins its search_path');

select tests.act_as('manager@bistro.test');
select throws_ok($$select plater_private.publish(tests.bistro(), 'crew:' || tests.bistro(), 'item', '{}'::jsonb)$$,
                 '42501', null, 'a manager cannot call plater_private.publish to forge a topic message');
select throws_ok($$select plater_private.prune_topic_log('0 seconds')$$, '42501', null,
                 'a manager cannot prune the topic log');
select tests.act_as_anon();
select throws_ok(format('select public.place_order(%L, %L)', tests.table_id(tests.bistro(), 'T1'),
                        jsonb_build_array(tests.line(tests.bistro(), 'Burger'))),
                 '42501', null, 'anon may not call place_order');
select tests.reset_role();

select * from finish();
rollback;
