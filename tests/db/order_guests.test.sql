-- Guests per order (docs/topics.md "guests"): place_order keeps the party the order is for on the
-- order (orders.guests), and every payload that names the party — the kds ticket, the expo and server order
-- cards, in events and in snapshots — reads the order's party, not whoever sits at its table now.
--
-- The table's party changes here by a direct update (in the product only clearing and seating again change it,
-- which needs the order served first); to the payload builders both are the same: the table row's party_size
-- is no longer the order's party.
begin;
\ir helpers/act_as.sql

select plan(8);

select tests.table_id(tests.bistro(), 'T6') as t6, tests.station_id(tests.bistro(), 'grill') as grill \gset
select tests.topic('kds', tests.bistro(), :'grill') as kds_grill, tests.topic('expo', tests.bistro()) as expo \gset

select tests.act_as('server.ana@bistro.test');
select public.seat_table(:'t6', 3);
select (public.place_order(:'t6', jsonb_build_array(tests.line(tests.bistro(), 'Burger'))) -> 'order' ->> 'id') as o \gset
select tests.reset_role();
select id as burger from public.order_items where order_id = :'o' and name = 'Burger' \gset

create function tests.last_guests(topic text, id text) returns int
language sql stable
as $$
  select (payload ->> 'guests')::int from plater_private.topic_log l
   where l.topic = last_guests.topic and l.payload ->> 'id' = last_guests.id
   order by seq desc limit 1
$$;

select is((select guests from public.orders where id = :'o'), 3, 'place_order keeps the table''s party on the order');
select is(tests.last_guests(:'kds_grill', :'burger'), 3, 'the ticket as placed names the party of 3');
select is(tests.last_guests(:'expo', :'o'), 3, 'the expo card as placed names the party of 3');

-- The table's party is now 5; the order was placed for 3.
update public.dining_tables set party_size = 5 where id = :'t6';

select tests.act_as('cook.grill@bistro.test');
select public.start_item(:'burger');
select tests.act_as('expo@bistro.test');
select public.set_rush(:'o', true);
select tests.reset_role();
select is(tests.last_guests(:'kds_grill', :'burger'), 3, 'a later ticket event still names the order''s party');
select is(tests.last_guests(:'expo', :'o'), 3, 'a later expo card (rush) still names the order''s party');

select tests.act_as('manager@bistro.test');
select public.topic_snapshot(:'kds_grill') as snap_kds, public.topic_snapshot(:'expo') as snap_expo,
       public.topic_snapshot(tests.topic('server', tests.bistro(), tests.user_id('server.ana@bistro.test'))) as snap_server \gset
select tests.reset_role();

select is((select (e ->> 'guests')::int from jsonb_array_elements(:'snap_kds'::jsonb -> 'data' -> 'items') e
            where e ->> 'id' = :'burger'), 3, 'the kds snapshot names the order''s party');
select is((select (e ->> 'guests')::int from jsonb_array_elements(:'snap_expo'::jsonb -> 'data' -> 'orders') e
            where e ->> 'id' = :'o'), 3, 'the expo snapshot names the order''s party');
select is((select (e ->> 'guests')::int from jsonb_array_elements(:'snap_server'::jsonb -> 'data' -> 'orders') e
            where e ->> 'id' = :'o'), 3, 'the server snapshot names the order''s party');

select * from finish();
rollback;
