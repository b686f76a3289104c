-- Status machines and the write RPCs: every item/order/table transition (legal and illegal), how an order's
-- status follows its items, cancellation and voiding rules, every RPC's rights, stale versions (PT409 with the
-- current row in DETAIL), invalid input (PT400, nothing half-applied) and the append-only status history.
--
-- Error contract (docs/architecture.md): PT400 invalid input, PT401 no staff row, PT403 role may not,
-- PT404 not found / other restaurant, PT409 stale version, PT422 illegal transition.
begin;
\ir helpers/act_as.sql

select plan(297);

-- ---------------------------------------------------------------------------------------------------------
-- File helpers
-- ---------------------------------------------------------------------------------------------------------

-- Row lookups that ignore RLS, so assertions can check state whoever is acting.
create function tests.item_id(order_id uuid, name text) returns uuid
language sql stable security definer set search_path = ''
as $$ select i.id from public.order_items i where i.order_id = item_id.order_id and i.name = item_id.name $$;
create function tests.item(id uuid) returns public.order_items
language sql stable security definer set search_path = ''
as $$ select i from public.order_items i where i.id = item.id $$;
create function tests.ord(id uuid) returns public.orders
language sql stable security definer set search_path = ''
as $$ select o from public.orders o where o.id = ord.id $$;
create function tests.tbl(id uuid) returns public.dining_tables
language sql stable security definer set search_path = ''
as $$ select d from public.dining_tables d where d.id = tbl.id $$;

-- Seat `tbl` for `server` (when free) and place an order of menu item names; returns the order id.
create function tests.place(server text, tbl text, names text[], extra jsonb default '{}',
                            restaurant uuid default tests.bistro()) returns uuid
language plpgsql
as $$
declare
  oid uuid;
begin
  perform tests.act_as(server);
  if (tests.tbl(tests.table_id(restaurant, tbl))).status = 'free' then
    perform public.seat_table(tests.table_id(restaurant, tbl), 2);
  end if;
  oid := (public.place_order(tests.table_id(restaurant, tbl),
          (select jsonb_agg(tests.line(restaurant, n, 1, coalesce(extra -> n, '{}')) order by o)
             from unnest(names) with ordinality as x (n, o))) -> 'order' ->> 'id')::uuid;
  perform tests.reset_role();
  return oid;
end;
$$;

-- The SQLSTATE `call` raises when made by `actor` ('anon', 'service_role' or a staff email); NULL if it
-- succeeds. Rolled back either way.
create function tests.code_as(actor text, call text) returns text
language plpgsql
as $$
declare
  code text;
begin
  case actor
    when 'anon' then perform tests.act_as_anon();
    when 'service_role' then perform tests.act_as_service();
    else perform tests.act_as(actor);
  end case;
  code := tests.sqlstate_of(call);
  perform tests.reset_role();
  return code;
end;
$$;

-- Scratch rows written directly (as the owner), for exercising the status-machine triggers on their own.
create function tests.scratch_order(status public.order_status default 'open') returns uuid
language sql
as $$
  insert into public.orders (restaurant_id, table_id, server_id, status)
  values (tests.bistro(), tests.table_id(tests.bistro(), 'T12'), tests.user_id('server.ana@bistro.test'), status)
  returning id
$$;
create function tests.scratch_item(status public.item_status) returns uuid
language sql
as $$
  insert into public.order_items (restaurant_id, order_id, station_id, menu_item_id, name, qty, status, fired_at)
  select tests.bistro(), tests.scratch_order(), m.station_id, m.id, m.name, 1, status,
         case when status <> 'held' then now() end
    from public.menu_items m where m.id = tests.menu_item_id(tests.bistro(), 'Burger')
  returning id
$$;

-- Fixture users beyond the seed: an inactive server and cook, and a signed-in user with no staff row.
insert into public.staff (user_id, restaurant_id, role, station_id, display_name, active) values
  (tests.create_user('inactive.server@bistro.test'), tests.bistro(), 'server', null, 'Ivo (inactive)', false),
  (tests.create_user('inactive.cook@bistro.test'), tests.bistro(), 'cook', tests.station_id(tests.bistro(), 'grill'),
   'Ina (inactive)', false);
select tests.create_user('nostaff@bistro.test') is not null as created \gset

select tests.table_id(tests.bistro(), 'T1') as t1, tests.table_id(tests.bistro(), 'T2') as t2,
       tests.table_id(tests.bistro(), 'T3') as t3, tests.table_id(tests.bistro(), 'T4') as t4,
       tests.station_id(tests.bistro(), 'grill') as grill, tests.station_id(tests.bistro(), 'fry') as fry,
       tests.station_id(tests.bistro(), 'bar') as bar \gset

-- =========================================================================================================
-- 1. The item status machine, enforced by trigger whatever the write path (all 30 ordered pairs).
--    held ⇄ pending → preparing → ready → served; pending → ready; ready → preparing (recall);
--    held | pending | preparing | ready → void; served and void are terminal.
-- =========================================================================================================
select case when (f || '>' || t) = any (array[
         'held>pending', 'pending>held', 'pending>preparing', 'pending>ready', 'preparing>ready',
         'ready>preparing', 'ready>served', 'held>void', 'pending>void', 'preparing>void', 'ready>void'])
       then lives_ok(format('update public.order_items set status = %L, fired_at = %s where id = %L', t,
                            case when t = 'held' then 'null' else 'coalesce(fired_at, now())' end,
                            tests.scratch_item(f::public.item_status)),
                     format('item %s → %s is legal', f, t))
       else throws_ok(format('update public.order_items set status = %L, fired_at = %s where id = %L', t,
                             case when t = 'held' then 'null' else 'coalesce(fired_at, now())' end,
                             tests.scratch_item(f::public.item_status)),
                      'PT422', format('illegal item transition: %s → %s', f, t),
                      format('item %s → %s is refused with PT422', f, t))
       end
  from unnest(enum_range(null::public.item_status)) f, unnest(enum_range(null::public.item_status)) t
 where f <> t
 order by f, t;

-- =========================================================================================================
-- 2. The order status machine (20 ordered pairs): open ⇄ ready ⇄ served, open → served, served → closed,
--    open | ready → cancelled; closed and cancelled are terminal.
-- =========================================================================================================
select case when (f || '>' || t) = any (array[
         'open>ready', 'ready>open', 'ready>served', 'served>ready', 'open>served', 'served>open',
         'served>closed', 'open>cancelled', 'ready>cancelled'])
       then lives_ok(format('update public.orders set status = %L where id = %L', t,
                            tests.scratch_order(f::public.order_status)),
                     format('order %s → %s is legal', f, t))
       else throws_ok(format('update public.orders set status = %L where id = %L', t,
                             tests.scratch_order(f::public.order_status)),
                      'PT422', format('illegal order transition: %s → %s', f, t),
                      format('order %s → %s is refused with PT422', f, t))
       end
  from unnest(enum_range(null::public.order_status)) f, unnest(enum_range(null::public.order_status)) t
 where f <> t
 order by f, t;

select tests.scratch_order() as so \gset
update public.orders set status = 'served' where id = :'so';
update public.orders set status = 'closed' where id = :'so';
select isnt((tests.ord(:'so')).closed_at, null, 'closing an order stamps closed_at');

-- An order with a served item cannot be cancelled (trigger level).
select tests.scratch_item('served') as si \gset
update public.orders set status = 'open' where id = (tests.item(:'si')).order_id;
select throws_ok(format('update public.orders set status = %L where id = %L', 'cancelled', (tests.item(:'si')).order_id),
                 'PT422', 'an order with served items cannot be cancelled; void the open items instead',
                 'the trigger refuses to cancel an order with a served item');

-- =========================================================================================================
-- 3. The table status machine: free ⇄ seated; a table with unserved orders cannot be freed.
-- =========================================================================================================
select lives_ok(format($q$update public.dining_tables set status = 'seated', server_id = %L where id = %L$q$,
                       tests.user_id('server.ana@bistro.test'), :'t4'), 'table free → seated is legal');
select lives_ok(format($q$update public.dining_tables set status = 'free', server_id = null where id = %L$q$, :'t4'),
                'table seated → free is legal without open orders');
select tests.scratch_order() as so2 \gset
update public.dining_tables set status = 'seated', server_id = tests.user_id('server.ana@bistro.test')
 where id = tests.table_id(tests.bistro(), 'T12');
select throws_ok(format($q$update public.dining_tables set status = 'free', server_id = null where id = %L$q$,
                        tests.table_id(tests.bistro(), 'T12')),
                 'PT422', 'a table with unserved orders cannot be cleared',
                 'the trigger refuses to free a table with an open order');

-- =========================================================================================================
-- 4. One order's life through the RPCs, with the order status derived from its items.
-- =========================================================================================================
select tests.act_as('server.ana@bistro.test');
select throws_ok(format('select public.place_order(%L, %L)', :'t1', jsonb_build_array(tests.line(tests.bistro(), 'Burger'))),
                 'PT422', 'table T1 is not seated', 'an order cannot be placed on a free table');
select is((public.seat_table(:'t1', 2)) ->> 'status', 'seated', 'a server seats a free table (free → seated)');
select is(((tests.tbl(:'t1')).server_id, (tests.tbl(:'t1')).party_size, (tests.tbl(:'t1')).version),
          (tests.user_id('server.ana@bistro.test'), 2, 2), 'the seated table records its server, party size and version 2');
select (public.place_order(:'t1', jsonb_build_array(
          tests.line(tests.bistro(), 'Burger', 2, '{"modifiers":["no onion"],"allergens":["gluten"],"notes":"well done"}'),
          tests.line(tests.bistro(), 'Fries'),
          tests.line(tests.bistro(), 'Espresso', 1, '{"course":2,"hold":true}')), 'birthday') -> 'order' ->> 'id') as o1 \gset
select tests.item_id(:'o1', 'Burger') as burger, tests.item_id(:'o1', 'Fries') as fries,
       tests.item_id(:'o1', 'Espresso') as espresso \gset
select is(((tests.ord(:'o1')).status::text, (tests.ord(:'o1')).version, (tests.ord(:'o1')).note),
          ('open'::text, 1, 'birthday'::text), 'place_order creates an open order at version 1 with its note');
select is(((tests.item(:'burger')).status::text, (tests.item(:'burger')).qty, (tests.item(:'burger')).modifiers,
           (tests.item(:'burger')).allergens, (tests.item(:'burger')).notes, (tests.item(:'burger')).station_id),
          ('pending'::text, 2, '{"no onion"}'::text[], '{gluten}'::text[], 'well done'::text, :'grill'::uuid),
          'a fired line becomes a pending item routed to its menu item''s station, with modifiers and notes');
select isnt((tests.item(:'burger')).fired_at, null, 'a pending item has fired_at');
select is(((tests.item(:'espresso')).status::text, (tests.item(:'espresso')).course, (tests.item(:'espresso')).fired_at),
          ('held'::text, 2, null::timestamptz), 'a held line becomes a held item of its course, not fired');

select tests.act_as('cook.grill@bistro.test');
select is((public.start_item(:'burger', 1)) ->> 'status', 'preparing', 'the grill cook starts a grill item (pending → preparing)');
select isnt((tests.item(:'burger')).started_at, null, 'starting stamps started_at');
select is((tests.item(:'burger')).version, 2, 'starting bumps the item to version 2');
select throws_ok(format('select public.start_item(%L)', :'fries'), 'PT403', 'a cook may only work their own station',
                 'the grill cook may not start a fry item');

select tests.act_as('cook.fry@bistro.test');
select is((public.finish_item(:'fries')) ->> 'status', 'ready', 'the fry cook finishes a pending item (pending → ready)');
select isnt((tests.item(:'fries')).ready_at, null, 'finishing stamps ready_at');

select tests.act_as('cook.grill@bistro.test');
select is((public.finish_item(:'burger', 2)) ->> 'status', 'ready', 'the grill cook finishes a preparing item (preparing → ready)');
select is((tests.ord(:'o1')).status::text, 'open', 'an order with a held course stays open while the fired items are ready');

select tests.act_as('server.ana@bistro.test');
select throws_ok(format('select public.hold_course(%L, 2)', :'o1'), 'PT422', 'course 2 has no unstarted items',
                 'holding a course that is already held is refused');
select is(jsonb_array_length((public.fire_course(:'o1', 2)) -> 'items'), 1, 'firing course 2 moves its one held item');
select is(((tests.item(:'espresso')).status::text, (tests.item(:'espresso')).fired_at is not null), ('pending'::text, true),
          'a fired item is pending with fired_at (held → pending)');
select is((public.hold_course(:'o1', 2)) -> 'items' -> 0 ->> 'status', 'held', 'holding course 2 again (pending → held)');
select is((tests.item(:'espresso')).fired_at, null, 'holding clears fired_at');
select is((public.fire_course(:'o1', 2)) -> 'items' -> 0 ->> 'status', 'pending', 'and firing it once more');
select throws_ok(format('select public.fire_course(%L, 2)', :'o1'), 'PT422', 'course 2 has no held items',
                 'firing a course with nothing held is refused');
select throws_ok(format('select public.fire_course(%L, 7)', :'o1'), 'PT422', 'course 7 has no held items',
                 'firing a course the order does not have is refused');

select tests.act_as('expo@bistro.test');
select is(jsonb_array_length((public.bump_ticket(:'o1', :'bar')) -> 'items'), 1, 'expo bumps the bar ticket (one item)');
select is((tests.ord(:'o1')).status::text, 'ready', 'every live item ready → the order is ready (open → ready)');

select tests.act_as('cook.grill@bistro.test');
select (tests.item(:'burger')).started_at as burger_started \gset
select is((public.recall_item(:'burger')) ->> 'status', 'preparing', 'the grill cook recalls a ready item (ready → preparing)');
select is(((tests.item(:'burger')).ready_at, (tests.item(:'burger')).started_at), (null::timestamptz, :'burger_started'::timestamptz),
          'a recall clears ready_at and keeps the original started_at');
select is((tests.ord(:'o1')).status::text, 'open', 'a recall reopens the order (ready → open)');
select throws_ok(format('select public.recall_item(%L)', :'burger'), 'PT422', 'only a ready item can be recalled',
                 'recalling an item that is not ready is refused');
select is(jsonb_array_length((public.bump_ticket(:'o1', :'grill')) -> 'items'), 1, 'the grill cook bumps the grill ticket');
select is((tests.ord(:'o1')).status::text, 'ready', 'the order is ready again (open → ready)');
select throws_ok(format('select public.bump_ticket(%L, %L)', :'o1', :'grill'), 'PT422', 'this ticket has nothing left to bump',
                 'bumping an empty ticket is refused');

select tests.act_as('server.ana@bistro.test');
select throws_ok(format('select public.clear_table(%L)', :'t1'), 'PT422', 'a table with unserved orders cannot be cleared',
                 'a table with a ready order cannot be cleared');
select is(jsonb_array_length((public.mark_served(:'o1')) -> 'items'), 3, 'the server serves the three ready items');
select is((tests.ord(:'o1')).status::text, 'served', 'every live item served → the order is served (ready → served)');
select throws_ok(format('select public.mark_served(%L)', :'o1'), 'PT422', 'nothing on this order is ready to serve',
                 'serving an order with nothing ready is refused');

-- served is terminal
select tests.act_as('cook.grill@bistro.test');
select throws_ok(format('select public.start_item(%L)', :'burger'), 'PT422', 'illegal item transition: served → preparing',
                 'a served item cannot be started again');
select throws_ok(format('select public.finish_item(%L)', :'burger'), 'PT422', 'illegal item transition: served → ready',
                 'a served item cannot be finished again');
select throws_ok(format('select public.recall_item(%L)', :'burger'), 'PT422', 'only a ready item can be recalled',
                 'a served item cannot be recalled');
select tests.act_as('manager@bistro.test');
select throws_ok(format('select public.void_item(%L, %L)', :'burger', 'late'), 'PT422', 'illegal item transition: served → void',
                 'even a manager cannot void a served item');
select is((tests.item(:'burger')).version, 6, 'the burger went through exactly 6 versions (placed, start, finish, recall, bump, serve)');

-- adding to a served order reopens it; voiding the new item brings it back to served
select tests.act_as('server.ana@bistro.test');
select is((public.add_items(:'o1', jsonb_build_array(tests.line(tests.bistro(), 'Onion Rings')))) -> 'order' ->> 'status',
          'open', 'adding an item to a served order reopens it (served → open)');
select tests.item_id(:'o1', 'Onion Rings') as rings \gset
select is((public.void_item(:'rings', 'guest changed their mind')) ->> 'status', 'void',
          'a server voids their own pending item (pending → void)');
select is((tests.item(:'rings')).void_reason, 'guest changed their mind', 'the void keeps its reason');
select is((tests.ord(:'o1')).status::text, 'served', 'with the extra item void the order is served again (open → served)');

-- void is terminal
select tests.act_as('manager@bistro.test');
select throws_ok(format('select public.void_item(%L, %L)', :'rings', 'again'), 'PT422', null,
                 'a void item cannot be voided again (void is terminal)');
select tests.act_as('cook.fry@bistro.test');
select throws_ok(format('select public.start_item(%L)', :'rings'), 'PT422', 'illegal item transition: void → preparing',
                 'a void item cannot be started');
select throws_ok(format('select public.finish_item(%L)', :'rings'), 'PT422', 'illegal item transition: void → ready',
                 'a void item cannot be finished');

-- clearing the table closes the served order and frees the table
select tests.act_as('server.ana@bistro.test');
select is((public.clear_table(:'t1')) ->> 'status', 'free', 'the server clears their table (seated → free)');
select is(((tests.tbl(:'t1')).server_id, (tests.tbl(:'t1')).party_size, (tests.tbl(:'t1')).seated_at),
          (null::uuid, null::int, null::timestamptz), 'a cleared table has no server, party or seated_at');
select is(((tests.ord(:'o1')).status::text, (tests.ord(:'o1')).closed_at is not null), ('closed'::text, true),
          'clearing the table closes its served order (served → closed) and stamps closed_at');
select throws_ok(format('select public.add_items(%L, %L)', :'o1', jsonb_build_array(tests.line(tests.bistro(), 'Fries'))),
                 'PT422', 'cannot add items to a closed order', 'nothing can be added to a closed order');
select throws_ok(format('select public.cancel_order(%L, null)', :'o1'), 'PT422', 'illegal order transition: closed → cancelled',
                 'a closed order cannot be cancelled');

-- the status history tells the same story, with the acting user
select tests.reset_role();
select results_eq(format($q$select from_status, to_status, actor from public.status_history
                            where entity_id = %L order by id$q$, :'burger'),
  format($q$values (null, 'pending', %1$L::uuid), ('pending', 'preparing', %2$L), ('preparing', 'ready', %2$L),
                   ('ready', 'preparing', %2$L), ('preparing', 'ready', %2$L), ('ready', 'served', %1$L)$q$,
         tests.user_id('server.ana@bistro.test'), tests.user_id('cook.grill@bistro.test')),
  'the burger''s history: placed, started, finished, recalled, bumped, served — each by whoever did it');
select results_eq(format($q$select from_status, to_status from public.status_history where entity_id = %L order by id$q$, :'o1'),
  $q$values (null, 'open'), ('open', 'ready'), ('ready', 'open'), ('open', 'ready'), ('ready', 'served'),
            ('served', 'open'), ('open', 'served'), ('served', 'closed')$q$,
  'the order''s history follows its derived statuses');
select results_eq(format($q$select from_status, to_status, actor from public.status_history where entity_id = %L order by id$q$, :'t1'),
  format($q$values ('free', 'seated', %1$L::uuid), ('seated', 'free', %1$L)$q$, tests.user_id('server.ana@bistro.test')),
  'the table''s history: seated and cleared by Ana');
select results_eq(format($q$select from_status, to_status from public.status_history where entity_id = %L order by id$q$, :'espresso'),
  $q$values (null, 'held'), ('held', 'pending'), ('pending', 'held'), ('held', 'pending'), ('pending', 'ready'), ('ready', 'served')$q$,
  'the held espresso''s history: held, fired, held, fired, bumped, served');

-- history is append-only, even for the owner
select throws_ok($$update public.status_history set to_status = 'void'$$, 'PT403', 'status_history is append-only',
                 'status_history rows cannot be updated');
select throws_ok($$delete from public.status_history$$, 'PT403', 'status_history is append-only',
                 'status_history rows cannot be deleted');

-- =========================================================================================================
-- 5. Cancelling and voiding.
-- =========================================================================================================
select tests.place('server.ben@bistro.test', 'T2', array['Ribeye 300g', 'Negroni']) as c1 \gset
select tests.act_as('server.ben@bistro.test');
select is((public.cancel_order(:'c1', null)) ->> 'status', 'cancelled', 'a server cancels their own order before the kitchen starts');
select is(((tests.ord(:'c1')).closed_at is not null), true, 'cancelling stamps closed_at');
select results_eq(format($q$select status::text, void_reason from public.order_items where order_id = %L order by name$q$, :'c1'),
                  $q$values ('void', 'order cancelled'), ('void', 'order cancelled')$q$,
                  'cancelling voids every item with the default reason');
select throws_ok(format('select public.cancel_order(%L, null)', :'c1'), 'PT422', null,
                 'a cancelled order cannot be cancelled again (cancelled is terminal)');
select throws_ok(format('select public.add_items(%L, %L)', :'c1', jsonb_build_array(tests.line(tests.bistro(), 'Fries'))),
                 'PT422', 'cannot add items to a cancelled order', 'nothing can be added to a cancelled order');

select tests.place('server.ben@bistro.test', 'T2', array['Ribeye 300g', 'Fries']) as c2 \gset
select tests.act_as('cook.grill@bistro.test');
select public.start_item(tests.item_id(:'c2', 'Ribeye 300g')) is not null as started \gset
select tests.act_as('server.ben@bistro.test');
select throws_ok(format('select public.cancel_order(%L, null)', :'c2'), 'PT403',
                 'only a manager may cancel an order the kitchen has started',
                 'a server may not cancel an order the kitchen has started');
select is((tests.ord(:'c2')).status::text, 'open', 'the refused cancel changed nothing');
select tests.act_as('manager@bistro.test');
select is((public.cancel_order(:'c2', 'kitchen fire')) ->> 'status', 'cancelled', 'a manager cancels a started order');
select results_eq(format($q$select status::text, void_reason from public.order_items where order_id = %L order by name$q$, :'c2'),
                  $q$values ('void', 'kitchen fire'), ('void', 'kitchen fire')$q$,
                  'the started item is voided too (preparing → void), with the manager''s reason');

select tests.place('server.ben@bistro.test', 'T2', array['Fries', 'Calamari']) as c3 \gset
select tests.act_as('cook.fry@bistro.test');
select public.bump_ticket(:'c3', :'fry') is not null as bumped \gset
select tests.act_as('server.ben@bistro.test');
select public.mark_served(:'c3') is not null as served \gset
select is((public.add_items(:'c3', jsonb_build_array(tests.line(tests.bistro(), 'Onion Rings')))) -> 'order' ->> 'status',
          'open', 'a served order with a new item is open again');
select throws_ok(format('select public.cancel_order(%L, null)', :'c3'), 'PT422',
                 'an order with served items cannot be cancelled; void the open items instead',
                 'a server cannot cancel an order with served items');
select tests.act_as('manager@bistro.test');
select throws_ok(format('select public.cancel_order(%L, null)', :'c3'), 'PT422',
                 'an order with served items cannot be cancelled; void the open items instead',
                 'neither can a manager');
select public.void_item(tests.item_id(:'c3', 'Onion Rings'), null) is not null as voided \gset
select is((tests.ord(:'c3')).status::text, 'served', 'voiding the open item leaves the order served');
select throws_ok(format('select public.cancel_order(%L, null)', :'c3'), 'PT422', 'illegal order transition: served → cancelled',
                 'a served order cannot be cancelled');

-- held courses: voiding a held item and cancelling an order with a held course
select tests.place('server.ben@bistro.test', 'T2', array['Ribeye 300g', 'Espresso', 'Negroni'],
                   '{"Espresso":{"course":2,"hold":true},"Negroni":{"course":3,"hold":true}}') as c4 \gset
select tests.act_as('server.ben@bistro.test');
select is(tests.sqlstate_of(format('select public.void_item(%L, null)', tests.item_id(:'c4', 'Espresso'))), null,
          'a server can void a held item (held → void)');
select is(tests.sqlstate_of(format('select public.cancel_order(%L, null)', :'c4')), null,
          'a server can cancel an order that still has a held course');

-- voiding: servers before the kitchen starts, managers after; the order follows its live items
select tests.place('server.ben@bistro.test', 'T2', array['Burger', 'Fries', 'Caesar Salad']) as c5 \gset
select tests.act_as('cook.grill@bistro.test');
select public.start_item(tests.item_id(:'c5', 'Burger')) is not null as started \gset
select tests.act_as('server.ben@bistro.test');
select throws_ok(format('select public.void_item(%L, null)', tests.item_id(:'c5', 'Burger')), 'PT403',
                 'only a manager may void an item the kitchen has started', 'a server may not void a started item');
select tests.act_as('manager@bistro.test');
select is((public.void_item(tests.item_id(:'c5', 'Burger'), 'burnt')) ->> 'status', 'void',
          'a manager voids a started item (preparing → void)');
select tests.act_as('cook.fry@bistro.test');
select public.finish_item(tests.item_id(:'c5', 'Fries')) is not null as finished \gset
select is((tests.ord(:'c5')).status::text, 'open', 'one live item still pending: the order is open');
select tests.act_as('server.ben@bistro.test');
select public.void_item(tests.item_id(:'c5', 'Caesar Salad'), null) is not null as voided \gset
select is((tests.ord(:'c5')).status::text, 'ready', 'voiding the last unfinished item makes the order ready (open → ready)');
select tests.act_as('manager@bistro.test');
select public.void_item(tests.item_id(:'c5', 'Fries'), 'dropped') is not null as voided \gset
select is((tests.ord(:'c5')).status::text, 'open', 'an order whose items are all void is open (ready → open) until cancelled');

-- =========================================================================================================
-- 6. Seating and clearing.
-- =========================================================================================================
select tests.act_as('server.ana@bistro.test');
select throws_ok(format('select public.seat_table(%L, %s)', :'t3', n), 'PT400', 'party_size must be between 1 and 100',
                 format('party_size %s is invalid input', n))
  from unnest(array['0', '101', '-1', 'null']) n;
select is(((tests.tbl(:'t3')).status::text, (tests.tbl(:'t3')).version), ('free'::text, 1), 'refused seatings leave the table free at version 1');
select is((public.seat_table(:'t3', 100)) ->> 'party_size', '100', 'a party of 100 is the largest accepted');
select tests.act_as('server.ben@bistro.test');
select throws_ok(format('select public.seat_table(%L, 2)', :'t3'), 'PT422', 'table T3 is already seated',
                 'a seated table cannot be seated again (by another server)');
select throws_ok(format('select public.clear_table(%L)', :'t3'), 'PT403', 'a server may only change their own tables',
                 'a server may not clear another server''s table');
select tests.act_as('manager@bistro.test');
select throws_ok(format('select public.seat_table(%L, 2)', :'t3'), 'PT422', 'table T3 is already seated',
                 'nor by a manager');
select is((public.seat_table(:'t4', 3, null, tests.user_id('server.ben@bistro.test'))) ->> 'server_id',
          tests.user_id('server.ben@bistro.test')::text, 'a manager seats a table for a server');
select is((public.clear_table(:'t4')) ->> 'status', 'free', 'a manager clears any table of the restaurant');
select throws_ok(format('select public.seat_table(%L, 2, null, %L)', :'t4', tests.user_id('cook.grill@bistro.test')),
                 'PT400', 'server_id is not an active server of this restaurant', 'a table cannot be assigned to a cook');
select throws_ok(format('select public.seat_table(%L, 2, null, %L)', :'t4', tests.user_id('server.cy@diner.test')),
                 'PT400', 'server_id is not an active server of this restaurant',
                 'a table cannot be assigned to another restaurant''s server');
select throws_ok(format('select public.seat_table(%L, 2, null, %L)', :'t4', tests.user_id('inactive.server@bistro.test')),
                 'PT400', 'server_id is not an active server of this restaurant', 'a table cannot be assigned to an inactive server');
select tests.act_as('server.ana@bistro.test');
select throws_ok(format('select public.seat_table(%L, 2, null, %L)', :'t4', tests.user_id('server.ben@bistro.test')),
                 'PT403', 'a server may only seat tables for themselves', 'a server may not seat a table for someone else');
select is((public.clear_table(:'t3')) ->> 'status', 'free', 'a server clears their own table with no orders');

-- =========================================================================================================
-- 7. Rights: who may call what. Each call is made on a fixture where the right actor would succeed.
--    R = Ana's order at T5 (Burger pending at grill, Fries ready at fry), T6 seated by Ana, T7 free.
-- =========================================================================================================
select tests.place('server.ana@bistro.test', 'T5', array['Burger', 'Fries']) as r \gset
select tests.item_id(:'r', 'Burger') as r_burger, tests.item_id(:'r', 'Fries') as r_fries,
       tests.table_id(tests.bistro(), 'T5') as t5, tests.table_id(tests.bistro(), 'T6') as t6,
       tests.table_id(tests.bistro(), 'T7') as t7, gen_random_uuid() as nothing \gset
select tests.act_as('cook.fry@bistro.test');
select public.finish_item(:'r_fries') is not null as finished \gset
select tests.act_as('server.ana@bistro.test');
select public.seat_table(:'t6', 2) is not null as seated \gset
select tests.reset_role();

create temp table rights (n serial, actor text, call text, code text, what text);
insert into rights (actor, call, code, what) values
  -- place_order: servers and managers of the table's restaurant
  ('cook.grill@bistro.test', 'place_order(:t5, :burger_line)', 'PT403', 'a cook may not place orders'),
  ('expo@bistro.test', 'place_order(:t5, :burger_line)', 'PT403', 'expo may not place orders'),
  ('manager@diner.test', 'place_order(:t5, :burger_line)', 'PT404', 'another restaurant''s manager gets not found'),
  ('server.cy@diner.test', 'place_order(:t5, :burger_line)', 'PT404', 'another restaurant''s server gets not found'),
  ('nostaff@bistro.test', 'place_order(:t5, :burger_line)', 'PT401', 'a user without a staff row is unauthenticated'),
  ('inactive.server@bistro.test', 'place_order(:t5, :burger_line)', 'PT401', 'an inactive server is unauthenticated'),
  ('service_role', 'place_order(:t5, :burger_line)', 'PT401', 'the service role is no staff member'),
  ('anon', 'place_order(:t5, :burger_line)', '42501', 'anon may not execute place_order'),
  ('server.ana@bistro.test', 'place_order(:nothing, :burger_line)', 'PT404', 'placing on a missing table is not found'),
  ('manager@bistro.test', 'place_order(:t5, :burger_line)', null, 'a manager may place an order'),
  ('server.ana@bistro.test', 'place_order(:t5, :burger_line)', null, 'a server may place an order'),
  -- add_items
  ('cook.grill@bistro.test', 'add_items(:r, :burger_line)', 'PT403', 'a cook may not add items'),
  ('expo@bistro.test', 'add_items(:r, :burger_line)', 'PT403', 'expo may not add items'),
  ('server.ben@bistro.test', 'add_items(:r, :burger_line)', 'PT403', 'a server may not add items to another server''s order'),
  ('manager@diner.test', 'add_items(:r, :burger_line)', 'PT404', 'another restaurant may not add items'),
  ('nostaff@bistro.test', 'add_items(:r, :burger_line)', 'PT401', 'no staff row may not add items'),
  ('server.ana@bistro.test', 'add_items(:nothing, :burger_line)', 'PT404', 'adding to a missing order is not found'),
  ('manager@bistro.test', 'add_items(:r, :burger_line)', null, 'a manager may add items to any order'),
  -- fire_course / hold_course
  ('cook.grill@bistro.test', 'hold_course(:r, 1)', 'PT403', 'a cook may not hold courses'),
  ('server.ben@bistro.test', 'hold_course(:r, 1)', 'PT403', 'a server may not hold another server''s course'),
  ('manager@diner.test', 'hold_course(:r, 1)', 'PT404', 'another restaurant may not hold courses'),
  ('server.ana@bistro.test', 'hold_course(:nothing, 1)', 'PT404', 'holding a course of a missing order is not found'),
  ('expo@bistro.test', 'hold_course(:r, 1)', null, 'expo may hold a course'),
  ('cook.grill@bistro.test', 'fire_course(:r, 1)', 'PT403', 'a cook may not fire courses'),
  ('server.ben@bistro.test', 'fire_course(:r, 1)', 'PT403', 'a server may not fire another server''s course'),
  ('manager@diner.test', 'fire_course(:r, 1)', 'PT404', 'another restaurant may not fire courses'),
  ('nostaff@bistro.test', 'fire_course(:r, 1)', 'PT401', 'no staff row may not fire courses'),
  -- start_item / finish_item
  ('server.ana@bistro.test', 'start_item(:r_burger)', 'PT403', 'a server may not start items'),
  ('cook.fry@bistro.test', 'start_item(:r_burger)', 'PT403', 'a cook may not start another station''s item'),
  ('cook.grill@diner.test', 'start_item(:r_burger)', 'PT404', 'another restaurant''s cook gets not found'),
  ('inactive.cook@bistro.test', 'start_item(:r_burger)', 'PT401', 'an inactive cook is unauthenticated'),
  ('nostaff@bistro.test', 'start_item(:r_burger)', 'PT401', 'no staff row may not start items'),
  ('cook.grill@bistro.test', 'start_item(:nothing)', 'PT404', 'starting a missing item is not found'),
  ('cook.grill@bistro.test', 'start_item(:r_burger)', null, 'the station''s cook may start it'),
  ('expo@bistro.test', 'start_item(:r_burger)', null, 'expo may start any station''s item'),
  ('manager@bistro.test', 'start_item(:r_burger)', null, 'a manager may start any station''s item'),
  ('server.ana@bistro.test', 'finish_item(:r_burger)', 'PT403', 'a server may not finish items'),
  ('cook.fry@bistro.test', 'finish_item(:r_burger)', 'PT403', 'a cook may not finish another station''s item'),
  ('cook.grill@diner.test', 'finish_item(:r_burger)', 'PT404', 'another restaurant may not finish items'),
  ('cook.grill@bistro.test', 'finish_item(:nothing)', 'PT404', 'finishing a missing item is not found'),
  -- recall_item (Fries is ready)
  ('server.ana@bistro.test', 'recall_item(:r_fries)', 'PT403', 'a server may not recall items'),
  ('cook.grill@bistro.test', 'recall_item(:r_fries)', 'PT403', 'a cook may not recall another station''s item'),
  ('manager@diner.test', 'recall_item(:r_fries)', 'PT404', 'another restaurant may not recall items'),
  ('nostaff@bistro.test', 'recall_item(:r_fries)', 'PT401', 'no staff row may not recall items'),
  ('cook.fry@bistro.test', 'recall_item(:r_fries)', null, 'the station''s cook may recall it'),
  ('cook.grill@bistro.test', 'recall_item(:nothing)', 'PT404', 'recalling a missing item is not found'),
  ('manager@diner.test', 'recall_item(:r_burger)', 'PT404',
   'another restaurant learns nothing about an item''s status from recall (not found, not PT422)'),
  ('nostaff@bistro.test', 'recall_item(:r_burger)', 'PT401', 'a caller without a staff row is refused before any status check'),
  -- bump_ticket
  ('server.ana@bistro.test', 'bump_ticket(:r, :grill)', 'PT403', 'a server may not bump tickets'),
  ('cook.fry@bistro.test', 'bump_ticket(:r, :grill)', 'PT403', 'a cook may not bump another station''s ticket'),
  ('manager@diner.test', 'bump_ticket(:r, :grill)', 'PT404', 'another restaurant may not bump tickets'),
  ('nostaff@bistro.test', 'bump_ticket(:r, :grill)', 'PT401', 'no staff row may not bump tickets'),
  ('cook.grill@bistro.test', 'bump_ticket(:nothing, :grill)', 'PT404', 'bumping a missing order is not found'),
  ('cook.grill@bistro.test', 'bump_ticket(:r, :grill)', null, 'the station''s cook may bump its ticket'),
  -- void_item
  ('cook.grill@bistro.test', 'void_item(:r_burger, null)', 'PT403', 'a cook may not void items'),
  ('expo@bistro.test', 'void_item(:r_burger, null)', 'PT403', 'expo may not void items'),
  ('server.ben@bistro.test', 'void_item(:r_burger, null)', 'PT403', 'a server may not void another server''s item'),
  ('manager@diner.test', 'void_item(:r_burger, null)', 'PT404', 'another restaurant may not void items'),
  ('server.ana@bistro.test', 'void_item(:nothing, null)', 'PT404', 'voiding a missing item is not found'),
  ('server.ana@bistro.test', 'void_item(:r_burger, null)', null, 'the order''s server may void a pending item'),
  -- cancel_order
  ('cook.grill@bistro.test', 'cancel_order(:r, null)', 'PT403', 'a cook may not cancel orders'),
  ('expo@bistro.test', 'cancel_order(:r, null)', 'PT403', 'expo may not cancel orders'),
  ('server.ben@bistro.test', 'cancel_order(:r, null)', 'PT403', 'a server may not cancel another server''s order'),
  ('manager@diner.test', 'cancel_order(:r, null)', 'PT404', 'another restaurant may not cancel orders'),
  ('nostaff@bistro.test', 'cancel_order(:r, null)', 'PT401', 'no staff row may not cancel orders'),
  ('server.ana@bistro.test', 'cancel_order(:nothing, null)', 'PT404', 'cancelling a missing order is not found'),
  ('manager@bistro.test', 'cancel_order(:r, null)', null, 'a manager may cancel it'),
  -- mark_served (Fries is ready)
  ('cook.grill@bistro.test', 'mark_served(:r)', 'PT403', 'a cook may not mark orders served'),
  ('server.ben@bistro.test', 'mark_served(:r)', 'PT403', 'a server may not serve another server''s order'),
  ('manager@diner.test', 'mark_served(:r)', 'PT404', 'another restaurant may not serve orders'),
  ('server.ana@bistro.test', 'mark_served(:nothing)', 'PT404', 'serving a missing order is not found'),
  ('expo@bistro.test', 'mark_served(:r)', null, 'expo may mark an order served'),
  ('server.ana@bistro.test', 'mark_served(:r)', null, 'the order''s server may mark it served'),
  -- seat_table (T7 is free)
  ('cook.grill@bistro.test', 'seat_table(:t7, 2)', 'PT403', 'a cook may not seat tables'),
  ('expo@bistro.test', 'seat_table(:t7, 2)', 'PT403', 'expo may not seat tables'),
  ('manager@diner.test', 'seat_table(:t7, 2)', 'PT404', 'another restaurant may not seat tables'),
  ('nostaff@bistro.test', 'seat_table(:t7, 2)', 'PT401', 'no staff row may not seat tables'),
  ('server.ana@bistro.test', 'seat_table(:nothing, 2)', 'PT404', 'seating a missing table is not found'),
  ('server.ben@bistro.test', 'seat_table(:t7, 2)', null, 'a server may seat a free table'),
  -- clear_table (T6 is Ana's)
  ('cook.grill@bistro.test', 'clear_table(:t6)', 'PT403', 'a cook may not clear tables'),
  ('expo@bistro.test', 'clear_table(:t6)', 'PT403', 'expo may not clear tables'),
  ('server.ben@bistro.test', 'clear_table(:t6)', 'PT403', 'a server may not clear another server''s table'),
  ('manager@diner.test', 'clear_table(:t6)', 'PT404', 'another restaurant may not clear tables'),
  ('server.ana@bistro.test', 'clear_table(:nothing)', 'PT404', 'clearing a missing table is not found'),
  ('server.ana@bistro.test', 'clear_table(:t6)', null, 'the table''s server may clear it');

-- Fill in the :placeholders with this run's ids (longest name first, so :r_burger is not read as :r).
create temp table placeholders (name text primary key, value text);
insert into placeholders values
  ('r', :'r'), ('r_burger', :'r_burger'), ('r_fries', :'r_fries'), ('t5', :'t5'), ('t6', :'t6'), ('t7', :'t7'),
  ('nothing', :'nothing'), ('grill', :'grill'),
  ('burger_line', jsonb_build_array(tests.line(tests.bistro(), 'Burger'))::text);
create function tests.fill(call text) returns text
language plpgsql
as $$
declare
  p record;
begin
  for p in select name, value from placeholders order by length(name) desc loop
    call := replace(call, ':' || p.name, quote_literal(p.value));
  end loop;
  return call;
end;
$$;
update rights set call = 'public.' || tests.fill(call);
select is_empty($$select call from rights where call ~ ':[a-z]'$$, 'every rights call has its ids filled in');

select is(tests.code_as(actor, 'select ' || call), code,
          format('%s: %s → %s', substr(split_part(call, '(', 1), 8), what, coalesce(code, 'allowed')))
  from rights order by n;

-- The codes come with the documented messages.
select tests.act_as('server.ben@bistro.test');
select throws_ok(format('select public.add_items(%L, %L)', :'r', jsonb_build_array(tests.line(tests.bistro(), 'Fries'))),
                 'PT403', 'a server may only change their own orders', 'PT403 says whose order it is');
select tests.act_as('cook.grill@bistro.test');
select throws_ok(format('select public.place_order(%L, %L)', :'t5', jsonb_build_array(tests.line(tests.bistro(), 'Fries'))),
                 'PT403', 'a cook may not place orders', 'PT403 names the role and the action');
select tests.act_as('manager@diner.test');
select throws_ok(format('select public.start_item(%L)', :'r_burger'), 'PT404', 'not found', 'another restaurant''s row is just "not found"');
select tests.act_as('nostaff@bistro.test');
select throws_ok(format('select public.seat_table(%L, 2)', :'t7'), 'PT401', 'no active staff member for this user',
                 'PT401 says there is no active staff member');

-- =========================================================================================================
-- 8. Stale versions: PT409, DETAIL = {"entity", "current": the row as it is now}, nothing changed.
-- =========================================================================================================
select tests.place('server.ana@bistro.test', 'T8', array['Burger']) as v \gset
select tests.item_id(:'v', 'Burger') as v_burger, tests.table_id(tests.bistro(), 'T8') as t8 \gset

select tests.act_as('cook.grill@bistro.test');
select tests.error_detail(format('select public.start_item(%L, 5)', :'v_burger')) as e \gset
select is(:'e'::jsonb ->> 'sqlstate', 'PT409', 'starting an item at a stale version raises PT409');
select is(:'e'::jsonb ->> 'message', format('item %s is at version 1, not 5', :'v_burger'), 'the message names both versions');
select is(:'e'::jsonb -> 'detail' ->> 'entity', 'item', 'DETAIL names the entity');
select is(:'e'::jsonb -> 'detail' -> 'current', to_jsonb(tests.item(:'v_burger')), 'DETAIL carries the current row, exactly');
select is(((tests.item(:'v_burger')).status::text, (tests.item(:'v_burger')).version), ('pending'::text, 1),
          'the stale start changed nothing');
select is((public.start_item(:'v_burger', 1)) ->> 'version', '2', 'the current version is accepted and bumped');
select tests.error_detail(format('select public.finish_item(%L, 1)', :'v_burger')) as e \gset
select is((:'e'::jsonb ->> 'sqlstate', (:'e'::jsonb -> 'detail' -> 'current' ->> 'version')), ('PT409'::text, '2'::text),
          'a second writer holding version 1 now gets PT409 with version 2');

select tests.act_as('server.ana@bistro.test');
select tests.error_detail(format('select public.add_items(%L, %L, 7)', :'v', jsonb_build_array(tests.line(tests.bistro(), 'Fries')))) as e \gset
select is((:'e'::jsonb ->> 'sqlstate', :'e'::jsonb -> 'detail' ->> 'entity', :'e'::jsonb -> 'detail' -> 'current'),
          ('PT409'::text, 'order'::text, to_jsonb(tests.ord(:'v'))), 'add_items at a stale order version: PT409 with the current order');
select is((select count(*) from public.order_items where order_id = :'v'), 1::bigint, 'and no item was added');
select is(tests.sqlstate_of(format('select public.cancel_order(%L, null, 3)', :'v')), 'PT409', 'cancel_order checks the version');
select is(tests.sqlstate_of(format('select public.fire_course(%L, 1, 3)', :'v')), 'PT409', 'fire_course checks the order version');
select is(tests.sqlstate_of(format('select public.mark_served(%L, 3)', :'v')), 'PT409', 'mark_served checks the order version');
select is(tests.sqlstate_of(format('select public.void_item(%L, null, 9)', :'v_burger')), 'PT409', 'void_item checks the item version');
select tests.error_detail(format('select public.clear_table(%L, 1)', :'t8')) as e \gset
select is((:'e'::jsonb ->> 'sqlstate', :'e'::jsonb -> 'detail' ->> 'entity', :'e'::jsonb -> 'detail' -> 'current'),
          ('PT409'::text, 'table'::text, to_jsonb(tests.tbl(:'t8'))), 'clear_table at a stale table version: PT409 with the current table');
select is(tests.sqlstate_of(format('select public.seat_table(%L, 2, 5)', :'t7')), 'PT409',
          'seat_table checks the table version');
select is(tests.sqlstate_of(format('select public.add_items(%L, %L, 1)', :'v', jsonb_build_array(tests.line(tests.bistro(), 'Fries')))),
          null, 'add_items at the current order version succeeds');

-- A stale version never leaks a row the caller may not read: rights are checked before the version.
select tests.act_as('server.ben@bistro.test');
select is(tests.sqlstate_of(format('select public.cancel_order(%L, null, 999)', :'v')), 'PT403',
          'another server with a stale version gets PT403, not PT409 with Ana''s order in DETAIL');
select tests.act_as('cook.fry@bistro.test');
select is(tests.sqlstate_of(format('select public.start_item(%L, 999)', :'v_burger')), 'PT403',
          'another station''s cook with a stale version gets PT403, not PT409 with the grill item in DETAIL');
select tests.act_as('manager@diner.test');
select is(tests.sqlstate_of(format('select public.start_item(%L, 999)', :'v_burger')), 'PT404',
          'another restaurant with a stale version gets PT404');

-- =========================================================================================================
-- 9. Invalid input: PT400, and nothing of the request is applied (no order, item, history row or topic seq).
-- =========================================================================================================
select tests.reset_role();
select tests.table_id(tests.bistro(), 'T9') as t9 \gset
update public.menu_items set active = false where id = tests.menu_item_id(tests.bistro(), 'Halloumi Steak');
select tests.act_as('server.ana@bistro.test');
select public.seat_table(:'t9', 2) is not null as seated \gset
select tests.reset_role();
create temp table counts_before as
  select (select count(*) from public.orders) as orders, (select count(*) from public.order_items) as items,
         (select count(*) from public.status_history) as history, (select count(*) from plater_private.topic_log) as log,
         (select sum(last_seq) from tests.topic_heads()) as seqs;

create temp table bad_input (n serial, items jsonb, what text, line int);
grant select on bad_input to authenticated;
insert into bad_input (items, what, line) values
  ('[]', 'an empty item list', null),
  ('{}', 'an object instead of a list', null),
  ('"Burger"', 'a string instead of a list', null),
  ('null', 'a JSON null', null),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries'), jsonb_build_object('menu_item_id', gen_random_uuid(), 'qty', 1)),
   'an unknown menu item after a good line', 1),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries'), tests.line(tests.diner(), 'Milkshake')),
   'another restaurant''s menu item', 1),
  (jsonb_build_array(tests.line(tests.bistro(), 'Halloumi Steak')), 'an inactive menu item', 0),
  (jsonb_build_array(jsonb_build_object('qty', 1)), 'a line without menu_item_id', 0),
  (jsonb_build_array(jsonb_build_object('menu_item_id', 'not-a-uuid', 'qty', 1)), 'a menu_item_id that is not a uuid', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 0)), 'qty 0', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 100)), 'qty 100', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries') - 'qty'), 'a missing qty', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"course":0}')), 'course 0', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"course":10}')), 'course 10', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"modifiers":"salt"}')), 'modifiers not a list', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"modifiers":["salt", 2]}')), 'a modifier that is not a string', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"allergens":{"nuts":true}}')), 'allergens not a list', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, jsonb_build_object('notes', repeat('x', 501)))), 'notes over 500 characters', 0),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"qty":"two"}')), 'a qty that is not a number', null),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"qty":1.5}')), 'a fractional qty', null),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"course":"first"}')), 'a course that is not a number', null),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"qty":99999999999}')), 'a qty beyond the integer range', null),
  (jsonb_build_array(tests.line(tests.bistro(), 'Fries', 1, '{"hold":5}')), 'a hold that is not a boolean', null);

select tests.act_as('server.ana@bistro.test');
select is(tests.sqlstate_of(format('select public.place_order(%L, %L)', :'t9', items)), 'PT400',
          format('place_order refuses %s with PT400', what))
  from bad_input order by n;
select is(tests.sqlstate_of(format('select public.add_items(%L, %L)', :'v', items)), 'PT400',
          format('add_items refuses %s with PT400', what))
  from bad_input where n in (1, 5, 10, 19) order by n;
select is((tests.error_detail(format('select public.place_order(%L, %L)', :'t9', items))) -> 'detail' -> 'lines',
          jsonb_build_array(line), format('PT400 DETAIL points at the bad line (%s)', what))
  from bad_input where line is not null and n in (5, 6, 7, 10) order by n;
select tests.reset_role();
select is((select (count(*), (select count(*) from public.order_items), (select count(*) from public.status_history),
                   (select count(*) from plater_private.topic_log), (select sum(last_seq) from tests.topic_heads()))
             from public.orders),
          (select (orders, items, history, log, seqs) from counts_before),
          'after all the refused requests: no order, item, history row, topic message or seq was added');

-- ---------------------------------------------------------------------------------------------------------
-- Repeated kitchen taps, covering another server's table, deleting a restaurant
-- ---------------------------------------------------------------------------------------------------------
select tests.place('server.ana@bistro.test', 'T11', array['Burger']) as t11_order \gset
select tests.act_as('cook.grill@bistro.test');
select public.start_item(tests.item_id(:'t11_order', 'Burger'));
select is(tests.sqlstate_of(format('select public.start_item(%L)', tests.item_id(:'t11_order', 'Burger'))), 'PT422',
          'starting an item that is already preparing is PT422, not a silent re-stamp');
select public.finish_item(tests.item_id(:'t11_order', 'Burger'));
select is(tests.sqlstate_of(format('select public.finish_item(%L)', tests.item_id(:'t11_order', 'Burger'))), 'PT422',
          'finishing an item that is already ready is PT422');
select tests.act_as('server.ben@bistro.test');
select is(tests.sqlstate_of(format('select public.place_order(%L, %L)', tests.table_id(tests.bistro(), 'T11'),
                                   jsonb_build_array(tests.line(tests.bistro(), 'Fries')))), 'PT403',
          'a server cannot place an order on another server''s table');
select tests.act_as('manager@bistro.test');
select is((public.place_order(tests.table_id(tests.bistro(), 'T11'),
                              jsonb_build_array(tests.line(tests.bistro(), 'Fries'))) -> 'order' ->> 'server_id')::uuid,
          tests.user_id('server.ana@bistro.test'),
          'an order a manager places belongs to the table''s server, so it reaches their topic');
select tests.reset_role();
delete from public.restaurants where id = tests.diner();
select is((select count(*) from public.staff where restaurant_id = tests.diner())
          + (select count(*) from public.status_history where restaurant_id = tests.diner()), 0::bigint,
          'deleting a restaurant removes its staff, rows and history with it');

select * from finish();
rollback;
