-- Rush orders (public.set_rush, docs/topics.md "rush"): who may (expo, managers) and who may not (servers, cooks,
-- another restaurant, inactive staff, anon), what it changes (the order and its live items, versions moved),
-- what it publishes (the flag on every audience's order and item events, nothing for a no-op), inheritance by
-- items added later, and the refusals (stale version, finished orders).
begin;
\ir helpers/act_as.sql

select plan(34);

-- An order of our own at table T5 (Ana): burger (grill), fries (fry), and a salad already served.
select tests.act_as('server.ana@bistro.test');
select public.seat_table(tests.table_id(tests.bistro(), 'T5'), 2);
select (public.place_order(tests.table_id(tests.bistro(), 'T5'),
          jsonb_build_array(tests.line(tests.bistro(), 'Burger'), tests.line(tests.bistro(), 'Fries'),
                            tests.line(tests.bistro(), 'Caesar Salad'))) -> 'order' ->> 'id') as o \gset
select tests.reset_role();
select id as burger from public.order_items where order_id = :'o' and name = 'Burger' \gset
select id as fries from public.order_items where order_id = :'o' and name = 'Fries' \gset
select id as salad from public.order_items where order_id = :'o' and name = 'Caesar Salad' \gset
-- the salad went out already (expo bumps the salad ticket and serves it)
select tests.act_as('expo@bistro.test');
select public.bump_ticket(:'o', tests.station_id(tests.bistro(), 'salad'));
select tests.reset_role();
update public.order_items set status = 'served' where id = :'salad';

create function tests.code_as(actor text, call text) returns text
language plpgsql
as $$
declare
  code text;
begin
  if actor = 'anon' then perform tests.act_as_anon(); else perform tests.act_as(actor); end if;
  code := tests.sqlstate_of(call);
  perform tests.reset_role();
  return code;
end;
$$;

-- ---- who may --------------------------------------------------------------------------------------------
select is(tests.code_as('server.ana@bistro.test', format('select public.set_rush(%L, true)', :'o')), 'PT403',
          'the order''s own server may not rush it');
select is(tests.code_as('cook.grill@bistro.test', format('select public.set_rush(%L, true)', :'o')), 'PT403',
          'a cook may not rush');
select is(tests.code_as('manager@diner.test', format('select public.set_rush(%L, true)', :'o')), 'PT404',
          'another restaurant''s manager does not find the order');
select is(tests.code_as('anon', format('select public.set_rush(%L, true)', :'o')), '42501', 'anon may not call it');
select tests.reset_role();
update public.staff set active = false where user_id = tests.user_id('server.ben@bistro.test');
update public.staff set role = 'expo' where user_id = tests.user_id('server.ben@bistro.test');
select is(tests.code_as('server.ben@bistro.test', format('select public.set_rush(%L, true)', :'o')), 'PT401',
          'inactive staff (even expo) may not');
select is(tests.code_as('expo@bistro.test', format('select public.set_rush(%L, null)', :'o')), 'PT400',
          'rush must be true or false');
select is(tests.code_as('expo@bistro.test', format('select public.set_rush(%L, true, 99)', :'o')), 'PT409',
          'a stale expected version is refused');
select is((select rush from public.orders where id = :'o'), false, 'refusals changed nothing');

-- ---- expo rushes ----------------------------------------------------------------------------------------
create temp table marks as select topic, last_seq from tests.topic_heads();
select version as order_version from public.orders where id = :'o' \gset
select tests.act_as('expo@bistro.test');
select public.set_rush(:'o', true, :order_version) as answer \gset
select tests.reset_role();
select is((:'answer'::jsonb) #>> '{order,rush}', 'true', 'the answer carries the rushed order');
select is((:'answer'::jsonb) #>> '{order,version}', (:order_version + 1)::text, 'the order''s version moved');
select is((select array_agg(i ->> 'name' order by i ->> 'name') from jsonb_array_elements((:'answer'::jsonb) -> 'items') i),
          array['Burger', 'Fries'], 'the answer lists the live items it changed');
select is((select rush from public.orders where id = :'o'), true, 'the order is rushed');
select is((select array_agg(name order by name) from public.order_items where order_id = :'o' and rush),
          array['Burger', 'Fries'], 'its live items are rushed');
select is((select rush from public.order_items where id = :'salad'), false, 'a served item keeps its flag');
select is((select version from public.order_items where id = :'burger'), 2, 'a rushed item''s version moved');

-- published: every audience hears it, with the flag
create temp table heard as
  select split_part(l.topic, ':', 1) as kind, l.topic, l.event, l.payload
    from plater_private.topic_log l left join marks m on m.topic = l.topic
   where l.seq > coalesce(m.last_seq, 0);
select is((select count(*)::int from heard where kind = 'kds' and event = 'item' and (payload ->> 'rush')::boolean),
          2, 'kds: each station hears its item, rushed');
select is((select array_agg(split_part(topic, ':', 3) order by payload ->> 'name') from heard where kind = 'kds'),
          array[tests.station_id(tests.bistro(), 'grill')::text, tests.station_id(tests.bistro(), 'fry')::text],
          'kds: on the grill and fry topics, not the salad''s');
select ok((select bool_and((payload ->> 'rush')::boolean) from heard where kind in ('expo', 'server') and event in ('order', 'item'))
          and (select count(*) from heard where kind = 'expo' and event = 'order') = 1
          and (select count(*) from heard where kind = 'server' and event = 'order') = 1,
          'expo and the server hear the rushed order and items');
select ok((select bool_and((payload #>> '{row,rush}')::boolean) from heard where kind = 'admin')
          and (select count(*) from heard where kind = 'admin') = 3, 'admin hears the rows, rushed');

-- rushing again is a no-op: nothing changes, nothing is published
delete from marks; insert into marks select topic, last_seq from tests.topic_heads();
select tests.act_as('expo@bistro.test');
select is((public.set_rush(:'o', true)) -> 'items', '[]'::jsonb, 'rushing a rushed order changes no item');
select tests.reset_role();
select is((select version from public.orders where id = :'o'), :order_version + 1, 'nor the order');
select is((select count(*)::int from plater_private.topic_log l join marks m on m.topic = l.topic where l.seq > m.last_seq)
          + (select count(*)::int from tests.topic_heads() s where not exists (select 1 from marks m where m.topic = s.topic)),
          0, 'and publishes nothing');

-- items added to a rushed order are rushed
select tests.act_as('server.ana@bistro.test');
select public.add_items(:'o', jsonb_build_array(tests.line(tests.bistro(), 'Onion Rings')));
select tests.reset_role();
select is((select rush from public.order_items where order_id = :'o' and name = 'Onion Rings'), true,
          'an item added to a rushed order is rushed');

-- a manager unrushes (the undo)
select tests.act_as('manager@bistro.test');
select is((public.set_rush(:'o', false)) #>> '{order,rush}', 'false', 'a manager unrushes');
select tests.reset_role();
select is((select count(*)::int from public.order_items where order_id = :'o' and rush), 0, 'no live item is rushed any more');
select is(tests.code_as('manager@bistro.test', format('select public.set_rush(%L, true)', :'o')), null,
          'a manager may rush');

-- ---- finished orders ------------------------------------------------------------------------------------
select tests.act_as('expo@bistro.test');
select public.set_rush(:'o', false);
select public.bump_ticket(:'o', tests.station_id(tests.bistro(), 'grill'));
select public.bump_ticket(:'o', tests.station_id(tests.bistro(), 'fry'));
select is((select status from public.orders where id = :'o'), 'ready', 'all ready: the order is ready');
select is(tests.code_as('expo@bistro.test', format('select public.set_rush(%L, true)', :'o')), null,
          'a ready order may still be rushed (run it out first)');
select tests.act_as('expo@bistro.test');
select public.mark_served(:'o');
select tests.reset_role();
select is(tests.code_as('expo@bistro.test', format('select public.set_rush(%L, false)', :'o')), 'PT422',
          'a served order cannot be rushed or unrushed');

-- ---- rights on the function itself -------------------------------------------------------------------------
select ok(has_function_privilege('authenticated', 'public.set_rush(uuid, boolean, int)', 'execute'),
          'authenticated may call set_rush (the role check is inside)');
select ok(not has_function_privilege('anon', 'public.set_rush(uuid, boolean, int)', 'execute'), 'anon may not');
select ok((select 'plan_cache_mode=force_generic_plan' = any (proconfig) from pg_proc
             where oid = 'public.set_rush(uuid, boolean, int)'::regprocedure),
          'set_rush runs on generic plans, like the other write RPCs');
select hasnt_trigger('public', 'order_items', 'order_items_inherit_rush'::name,
                     'inheritance costs no per-row trigger (insert_items sets the flag)');
select is((select count(*)::int from public.status_history where entity_id = :'o'::uuid and to_status = 'open'), 1,
          'rushing writes no status history (the status did not change)');

select * from finish();
rollback;
