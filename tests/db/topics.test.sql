-- Role-scoped topics (docs/topics.md): which topics each change publishes to, the envelope, the exact payload
-- keys per audience (nothing more), the copy in realtime.messages, contiguous seq per topic (also across a
-- rolled-back write), kds purity, and the snapshot / catch-up functions with their access rules.
begin;
\ir helpers/act_as.sql

select plan(169);

-- ---------------------------------------------------------------------------------------------------------
-- File helpers: a mark (every topic's seq and the realtime.messages count), what was published since the
-- mark, with topics given readable aliases ('kds:grill', 'server:ana', 'diner/floor', …).
-- ---------------------------------------------------------------------------------------------------------
create temp table marks (topic text primary key, last_seq bigint);
create temp table rt_mark (n bigint);
insert into rt_mark values (0);
create temp table file_start as select topic, last_seq from tests.topic_heads();

-- SECURITY DEFINER so they work whoever the test is acting as (the topic log is private).
create function tests.mark() returns void
language sql security definer
as $$
  delete from marks;
  insert into marks select topic, last_seq from tests.topic_heads();
  update rt_mark set n = (select count(*) from realtime.messages where inserted_at = now()::timestamp);
$$;

create function tests.alias(topic text) returns text
language sql stable
as $$
  select case when split_part(topic, ':', 2) = tests.bistro()::text then '' else 'diner/' end
         || split_part(topic, ':', 1)
         || coalesce(':' || coalesce(
              (select s.slug from public.stations s where s.id::text = split_part(topic, ':', 3)),
              (select regexp_replace(split_part(u.email, '@', 1), '^server\.', '') from auth.users u
                where u.id::text = split_part(topic, ':', 3)),
              nullif(split_part(topic, ':', 3), '')), '')
$$;

create function tests.published() returns table (alias text, topic text, seq bigint, event text, payload jsonb)
language sql stable security definer
as $$
  select tests.alias(l.topic), l.topic, l.seq, l.event, l.payload
    from plater_private.topic_log l left join marks m on m.topic = l.topic
   where l.seq > coalesce(m.last_seq, 0)
   order by l.topic, l.seq
$$;

-- Everything published since the file started.
create function tests.published_in_file() returns table (alias text, kind text, topic text, seq bigint, event text,
                                                         payload jsonb)
language sql stable
as $$
  select tests.alias(l.topic), split_part(l.topic, ':', 1), l.topic, l.seq, l.event, l.payload
    from plater_private.topic_log l left join file_start m on m.topic = l.topic
   where l.seq > coalesce(m.last_seq, 0)
$$;

-- 'ok' when every message since the mark is also in realtime.messages as a private broadcast with the same
-- event and payload, and realtime.messages got nothing else from this transaction (rows are told apart by
-- inserted_at, which defaults to the transaction's now(): other sessions may broadcast meanwhile).
create function tests.rt_mirror() returns text
language plpgsql security definer
as $$
declare
  missing bigint;
  extra bigint;
begin
  select count(*) into missing from tests.published() p
   where not exists (select 1 from realtime.messages m
                      where m.topic = p.topic and m.event = p.event and m.private is true
                        and m.extension = 'broadcast' and m.payload = p.payload);
  select (select count(*) from realtime.messages where inserted_at = now()::timestamp) - (select n from rt_mark)
         - (select count(*) from tests.published())
    into extra;
  return case when missing = 0 and extra = 0 then 'ok'
              else format('%s messages missing from realtime.messages, %s unexpected there', missing, extra) end;
end;
$$;

create function tests.item_id(order_id uuid, name text) returns uuid
language sql stable
as $$ select i.id from public.order_items i where i.order_id = item_id.order_id and i.name = item_id.name $$;

-- the contract's payload keys (payload_keys, admin_row_keys, snapshot_data_keys), generated from
-- contract/payloads.ts: every SQL payload builder must publish exactly these
\ir helpers/contract_fields.sql

select tests.table_id(tests.bistro(), 'T1') as t1, tests.table_id(tests.bistro(), 'T2') as t2,
       tests.table_id(tests.bistro(), 'T3') as t3, tests.station_id(tests.bistro(), 'grill') as grill,
       tests.station_id(tests.bistro(), 'bar') as bar, tests.station_id(tests.bistro(), 'fry') as fry,
       tests.user_id('server.ana@bistro.test') as ana, tests.user_id('server.ben@bistro.test') as ben \gset
select tests.topic('kds', tests.bistro(), :'grill') as kds_grill, tests.topic('expo', tests.bistro()) as expo,
       tests.topic('server', tests.bistro(), :'ana') as server_ana, tests.topic('floor', tests.bistro()) as floor,
       tests.topic('admin', tests.bistro()) as admin, tests.topic('crew', tests.bistro()) as crew \gset

-- =========================================================================================================
-- 1. Which topics each change reaches, and the realtime.messages copy.
-- =========================================================================================================

-- seat
select tests.mark();
select tests.act_as('server.ana@bistro.test');
select public.seat_table(:'t1', 2) is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('floor', 'table'), ('server:ana', 'table'), ('admin', 'table')$$,
              'seat: the table goes to floor, the seating server and admin');
select is(tests.rt_mirror(), 'ok', 'seat: every message is a private broadcast in realtime.messages');

-- place (Burger at grill, Fries at fry, Espresso held for course 2 at bar)
select tests.mark();
select tests.act_as('server.ana@bistro.test');
select (public.place_order(:'t1', jsonb_build_array(
          tests.line(tests.bistro(), 'Burger', 1, '{"modifiers":["no onion"],"allergens":["gluten"],"notes":"rare"}'),
          tests.line(tests.bistro(), 'Fries'),
          tests.line(tests.bistro(), 'Espresso', 1, '{"course":2,"hold":true}')), 'window seat') -> 'order' ->> 'id') as o1 \gset
select tests.reset_role();
select tests.item_id(:'o1', 'Burger') as burger, tests.item_id(:'o1', 'Fries') as fries,
       tests.item_id(:'o1', 'Espresso') as espresso \gset
select bag_eq('select alias, event from tests.published()',
              $$values ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order'),
                       ('kds:grill', 'item'), ('kds:fry', 'item'), ('kds:bar', 'item'),
                       ('expo', 'item'), ('expo', 'item'), ('expo', 'item'),
                       ('server:ana', 'item'), ('server:ana', 'item'), ('server:ana', 'item'),
                       ('admin', 'item'), ('admin', 'item'), ('admin', 'item')$$,
              'place: the order to expo/server/admin; each item to its own station''s kds, expo, server and admin');
select is(tests.rt_mirror(), 'ok', 'place: every message is a private broadcast in realtime.messages');
select is((select array_agg(distinct p.payload ->> 'id') from tests.published() p where p.alias = 'kds:grill'),
          array[:'burger'], 'place: the grill kds gets the burger only');

-- start
select tests.mark();
select tests.act_as('cook.grill@bistro.test');
select public.start_item(:'burger') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:grill', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item')$$,
              'start: the item to its kds, expo, server and admin (no order change)');
select is(tests.rt_mirror(), 'ok', 'start: mirrored in realtime.messages');

-- finish (pending → ready, the order stays open)
select tests.mark();
select tests.act_as('cook.fry@bistro.test');
select public.finish_item(:'fries') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:fry', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item')$$,
              'finish: the item to its kds, expo, server and admin');
select is(tests.rt_mirror(), 'ok', 'finish: mirrored in realtime.messages');

-- fire course 2
select tests.mark();
select tests.act_as('server.ana@bistro.test');
select public.fire_course(:'o1', 2) is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:bar', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item')$$,
              'fire: the fired item to the bar kds, expo, server and admin');

-- bump grill (order still open: the espresso is pending)
select tests.mark();
select tests.act_as('cook.grill@bistro.test');
select public.bump_ticket(:'o1', :'grill') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:grill', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item')$$,
              'bump: the bumped item to its kds, expo, server and admin');

-- bump bar: the last item ready makes the order ready
select tests.mark();
select tests.act_as('expo@bistro.test');
select public.bump_ticket(:'o1', :'bar') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:bar', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item'),
                       ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order')$$,
              'bump making the order ready: the item, then the order (expo, server, admin)');
select is((select array_agg(p.event order by p.seq) from tests.published() p where p.alias = 'expo'),
          array['item', 'order'], 'the item event precedes the order event it causes');
select is((select p.payload ->> 'status' from tests.published() p where p.alias = 'expo' and p.event = 'order'),
          'ready', 'the order event carries the derived status');
select is(tests.rt_mirror(), 'ok', 'bump: mirrored in realtime.messages');

-- recall: ready → preparing, the order back to open
select tests.mark();
select tests.act_as('cook.grill@bistro.test');
select public.recall_item(:'burger') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:grill', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item'),
                       ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order')$$,
              'recall: the item and the reopened order');
select is(tests.rt_mirror(), 'ok', 'recall: mirrored in realtime.messages');

-- finish again, then serve
select tests.act_as('cook.grill@bistro.test');
select public.finish_item(:'burger') is not null as ok \gset
select tests.reset_role();
select tests.mark();
select tests.act_as('server.ana@bistro.test');
select public.mark_served(:'o1') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:grill', 'item'), ('kds:fry', 'item'), ('kds:bar', 'item'),
                       ('expo', 'item'), ('expo', 'item'), ('expo', 'item'),
                       ('server:ana', 'item'), ('server:ana', 'item'), ('server:ana', 'item'),
                       ('admin', 'item'), ('admin', 'item'), ('admin', 'item'),
                       ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order')$$,
              'serve: each served item to its kds, expo, server, admin; the served order to expo, server, admin');
select is(tests.rt_mirror(), 'ok', 'serve: mirrored in realtime.messages');

-- add to the served order, void the addition
select tests.mark();
select tests.act_as('server.ana@bistro.test');
select public.add_items(:'o1', jsonb_build_array(tests.line(tests.bistro(), 'Onion Rings'))) is not null as ok \gset
select tests.reset_role();
select tests.item_id(:'o1', 'Onion Rings') as rings \gset
select bag_eq('select alias, event from tests.published()',
              $$values ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order'),
                       ('kds:fry', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item'),
                       ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order')$$,
              'add items: the order (new version), the item, the order again (served → open)');
select tests.mark();
select tests.act_as('server.ana@bistro.test');
select public.void_item(:'rings', null) is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('kds:fry', 'item'), ('expo', 'item'), ('server:ana', 'item'), ('admin', 'item'),
                       ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order')$$,
              'void: the void item to its kds (so the ticket drops it), expo, server, admin; the order back to served');
select is(tests.rt_mirror(), 'ok', 'void: mirrored in realtime.messages');

-- clear: the served order closes, the table frees, and the (former) server hears about it
select tests.mark();
select tests.act_as('server.ana@bistro.test');
select public.clear_table(:'t1') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('expo', 'order'), ('server:ana', 'order'), ('admin', 'order'),
                       ('floor', 'table'), ('server:ana', 'table'), ('admin', 'table')$$,
              'clear: the closed order to expo/server/admin; the freed table to floor, the former server and admin');
select is(tests.rt_mirror(), 'ok', 'clear: mirrored in realtime.messages');

-- cancel (Ben's order: Ribeye at grill, Negroni at bar)
select tests.act_as('server.ben@bistro.test');
select public.seat_table(:'t2', 2) is not null as ok \gset
select (public.place_order(:'t2', jsonb_build_array(tests.line(tests.bistro(), 'Ribeye 300g'),
                                                    tests.line(tests.bistro(), 'Negroni'))) -> 'order' ->> 'id') as o2 \gset
select tests.mark();
select public.cancel_order(:'o2', 'guest left') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('expo', 'order'), ('server:ben', 'order'), ('admin', 'order'),
                       ('kds:grill', 'item'), ('expo', 'item'), ('server:ben', 'item'), ('admin', 'item'),
                       ('kds:bar', 'item'), ('expo', 'item'), ('server:ben', 'item'), ('admin', 'item')$$,
              'cancel: the cancelled order, then each voided item on its kds, expo, the server and admin');
select is(tests.rt_mirror(), 'ok', 'cancel: mirrored in realtime.messages');

-- a manager seats a table for Ben: Ben's topic hears it, the manager's own nothing special
select tests.mark();
select tests.act_as('manager@bistro.test');
select public.seat_table(:'t3', 4, null, :'ben') is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('floor', 'table'), ('server:ben', 'table'), ('admin', 'table')$$,
              'seat for another server: floor, the assigned server and admin');

-- the other restaurant's changes stay on its own topics
select tests.mark();
select tests.act_as('server.cy@diner.test');
select public.seat_table(tests.table_id(tests.diner(), 'D1'), 2) is not null as ok \gset
select public.place_order(tests.table_id(tests.diner(), 'D1'), jsonb_build_array(tests.line(tests.diner(), 'Pancakes')))
       is not null as ok \gset
select tests.reset_role();
select bag_eq('select alias, event from tests.published()',
              $$values ('diner/floor', 'table'), ('diner/server:cy', 'table'), ('diner/admin', 'table'),
                       ('diner/expo', 'order'), ('diner/server:cy', 'order'), ('diner/admin', 'order'),
                       ('diner/kds:grill', 'item'), ('diner/expo', 'item'), ('diner/server:cy', 'item'),
                       ('diner/admin', 'item')$$,
              'Other Diner''s seat and order reach only Other Diner''s topics');

-- =========================================================================================================
-- 2. A rolled-back write leaves no gap.
-- =========================================================================================================
select tests.act_as('server.ana@bistro.test');
select public.seat_table(:'t1', 2) is not null as ok \gset
select (public.place_order(:'t1', jsonb_build_array(tests.line(tests.bistro(), 'Burger'))) -> 'order' ->> 'id') as o3 \gset
select tests.act_as('cook.grill@bistro.test');
select tests.mark();
savepoint before_start;
select public.start_item(tests.item_id(:'o3', 'Burger')) is not null as ok \gset
select is((select count(*) from tests.published()), 4::bigint, 'inside the savepoint the start published 4 messages');
rollback to savepoint before_start;
select is((select count(*) from tests.published()), 0::bigint, 'rolled back: no message remains in the topic log');
select is(tests.rt_mirror(), 'ok', 'rolled back: nothing remains in realtime.messages either');
select public.start_item(tests.item_id(:'o3', 'Burger')) is not null as ok \gset
select tests.reset_role();
select is((select array_agg(p.seq - m.last_seq order by p.seq) from tests.published() p join marks m using (topic)
            where p.alias = 'kds:grill'), array[1::bigint],
          'the next write takes the very next seq on the topic: no gap where the rolled-back one was');

-- =========================================================================================================
-- 3. Invariants over everything this file published.
-- =========================================================================================================
select ok((select count(*) from tests.published_in_file()) > 100, 'this file published over a hundred messages');

-- seq contiguous per topic, overall (the whole log, from pruned_through + 1 to last_seq) and in this file
select is_empty($$
  select h.topic from tests.topic_heads() h
    left join plater_private.topic_retention r on r.topic = h.topic
    left join plater_private.topic_log l on l.topic = h.topic
   group by h.topic, h.last_seq, r.pruned_through
  having count(l.seq) <> h.last_seq - coalesce(r.pruned_through, 0)
      or coalesce(min(l.seq), coalesce(r.pruned_through, 0) + 1) <> coalesce(r.pruned_through, 0) + 1
$$, 'every topic''s log is exactly seq pruned_through+1 .. last_seq, without gaps');
select is_empty($$
  select p.topic from tests.published_in_file() p left join file_start f using (topic)
   group by p.topic, f.last_seq
  having min(p.seq) <> coalesce(f.last_seq, 0) + 1 or max(p.seq) - min(p.seq) + 1 <> count(*)
$$, 'the seqs this file added continue each topic without a gap');

-- envelope
select is_empty($$
  select p.topic, p.seq from tests.published_in_file() p
   where (p.payload ->> 'seq')::bigint is distinct from p.seq
      or p.payload ->> 'type' is distinct from p.event
      or jsonb_typeof(p.payload -> 'ts') <> 'number'
      or (p.payload ->> 'ts')::bigint not between (extract(epoch from now()) * 1000)::bigint - 1000
                                            and (extract(epoch from clock_timestamp()) * 1000)::bigint + 1000
      or jsonb_typeof(p.payload -> 'version') <> 'number' or (p.payload ->> 'version')::int < 1
      or p.payload ->> 'id' !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$$, 'every envelope has seq = its log seq, type = the event, ts = now in epoch ms, a uuid id and a version');
select is_empty($$
  select p.topic, p.seq from tests.published_in_file() p
   where not exists (select 1 from public.orders o where p.event = 'order' and o.id::text = p.payload ->> 'id')
     and not exists (select 1 from public.order_items i where p.event = 'item' and i.id::text = p.payload ->> 'id')
     and not exists (select 1 from public.dining_tables d where p.event = 'table' and d.id::text = p.payload ->> 'id')
$$, 'every envelope id is the id of an entity of its type');
select is_empty($$
  select topic, payload ->> 'id' from (
    select p.topic, p.payload, lag((p.payload ->> 'version')::int) over (partition by p.topic, p.payload ->> 'id' order by p.seq) as prev
      from tests.published_in_file() p) x
   where (payload ->> 'version')::int <= prev
$$, 'on every topic an entity''s versions strictly increase with seq');
select is_empty($$
  select p.topic, p.payload ->> 'id' from (
    select distinct on (p.topic, p.payload ->> 'id') p.* from tests.published_in_file() p
     order by p.topic, p.payload ->> 'id', p.seq desc) p
   where (p.payload ->> 'version')::int <> coalesce(
           (select version from public.orders o where p.event = 'order' and o.id::text = p.payload ->> 'id'),
           (select version from public.order_items i where p.event = 'item' and i.id::text = p.payload ->> 'id'),
           (select version from public.dining_tables d where p.event = 'table' and d.id::text = p.payload ->> 'id'))
$$, 'the last message per entity and topic carries the entity''s current version');

-- exactly the documented keys, per audience and event
select is_empty($$
  select distinct kind, event from tests.published_in_file()
  except select kind, event from payload_keys
$$, 'no topic kind carries an event it should not (kds only items, floor only tables, …)');
select results_eq(format($$select distinct (select array_agg(k order by k) from jsonb_object_keys(payload) k)
                             from tests.published_in_file() where kind = %L and event = %L$$, kind, event),
                  format('select %L::text[]', keys),
                  format('%s %s payloads have exactly the keys %s', kind, event, array_to_string(keys, ', ')))
  from payload_keys order by kind, event;
select is_empty($$
  select p.topic, p.seq from tests.published_in_file() p
   where p.kind = 'admin'
     and (select array_agg(k order by k) from jsonb_object_keys(p.payload -> 'row') k) is distinct from
         (select array_agg(a.attname::text order by a.attname::text) from pg_attribute a
           where a.attrelid = case p.event when 'order' then 'public.orders'::regclass
                                           when 'item' then 'public.order_items'::regclass
                                           else 'public.dining_tables'::regclass end
             and a.attnum > 0 and not a.attisdropped)
$$, 'admin payloads carry the whole row: every column of the table');
select results_eq(
  $$select distinct p.event, (select array_agg(k order by k) from jsonb_object_keys(p.payload -> 'row') k)
      from tests.published_in_file() p where p.kind = 'admin' order by 1$$,
  $$select event, keys from admin_row_keys order by 1$$,
  'admin payloads carry exactly the row columns of the contract (contract/payloads.ts ADMIN_ROW_FIELDS)');
select is_empty($$
  select p.topic, p.seq from tests.published_in_file() p
   where p.kind <> 'admin' and p.payload::text ~* 'price'
$$, 'no payload outside admin mentions a price');
select is_empty($$
  select p.topic, p.seq from tests.published_in_file() p
   where p.kind = 'kds' and p.payload::text ~ (select string_agg(user_id::text, '|') from public.staff)
$$, 'no kds payload carries a staff id (cooks never see server ids)');

-- audience purity
select is_empty($$
  select p.topic, p.payload ->> 'id' from tests.published_in_file() p
    join public.order_items i on i.id::text = p.payload ->> 'id'
   where p.kind = 'kds' and i.station_id::text <> split_part(p.topic, ':', 3)
$$, 'a kds topic never carries another station''s item');
select is_empty($$
  select p.topic, p.payload ->> 'id' from tests.published_in_file() p
    left join public.orders o on o.id::text = coalesce(p.payload ->> 'order_id', p.payload ->> 'id')
   where p.kind = 'server' and p.event in ('order', 'item') and o.server_id::text is distinct from split_part(p.topic, ':', 3)
$$, 'a server topic carries only that server''s orders and items');
select is_empty($$
  select p.topic, p.payload ->> 'id' from tests.published_in_file() p
   where split_part(p.topic, ':', 2) <> coalesce(
           (select restaurant_id::text from public.orders o where p.event = 'order' and o.id::text = p.payload ->> 'id'),
           (select restaurant_id::text from public.order_items i where p.event = 'item' and i.id::text = p.payload ->> 'id'),
           (select restaurant_id::text from public.dining_tables d where p.event = 'table' and d.id::text = p.payload ->> 'id'))
$$, 'every message is on a topic of the entity''s own restaurant');
select is_empty($$
  select topic from tests.published_in_file() where kind = 'crew'
$$, 'the database never publishes on crew topics (they are the staff''s own channel)');

-- the payload values are right, not just the keys
select is((select p.payload - 'seq' - 'ts' from tests.published_in_file() p
            where p.topic = :'kds_grill' and p.payload ->> 'id' = :'burger' order by p.seq limit 1),
          jsonb_build_object('type', 'item', 'id', :'burger', 'version', 1, 'order_id', :'o1', 'table', 'T1',
                             'server_name', (select display_name from public.staff where user_id = :'ana'),
                             'guests', (select party_size from public.dining_tables where id = :'t1'), 'course', 1,
                             'name', 'Burger', 'qty', 1, 'modifiers', jsonb_build_array('no onion'),
                             'notes', 'rare', 'allergens', jsonb_build_array('gluten'), 'status', 'pending',
                             'rush', false, 'fired_at', (select fired_at from public.order_items where id = :'burger'),
                             'started_at', null, 'ready_at', null),
          'the kds payload of a placed burger, value by value');
select is((select p.payload - 'seq' - 'ts' - 'created_at' from tests.published_in_file() p
            where p.topic = :'server_ana' and p.event = 'order' order by p.seq limit 1),
          jsonb_build_object('type', 'order', 'id', :'o1', 'version', 1, 'table_id', :'t1', 'table', 'T1',
                             'server_id', :'ana', 'server_name', (select display_name from public.staff where user_id = :'ana'),
                             'guests', (select party_size from public.dining_tables where id = :'t1'),
                             'status', 'open', 'rush', false, 'note', 'window seat'),
          'the server payload of a placed order, value by value');

-- =========================================================================================================
-- 4. Snapshots: shapes, contents, and agreement with the events.
-- =========================================================================================================
select tests.act_as('manager@bistro.test');
select public.topic_snapshot(:'kds_grill') as snap_kds, public.topic_snapshot(:'expo') as snap_expo,
       public.topic_snapshot(tests.topic('server', tests.bistro(), :'ben')) as snap_server,
       public.topic_snapshot(:'floor') as snap_floor, public.topic_snapshot(:'admin') as snap_admin \gset
select tests.reset_role();

create temp table snaps as
select s.kind, s.snap, d.keys as data_keys
  from (values ('kds', :'snap_kds'::jsonb), ('expo', :'snap_expo'::jsonb), ('server', :'snap_server'::jsonb),
               ('floor', :'snap_floor'::jsonb), ('admin', :'snap_admin'::jsonb)) as s (kind, snap)
  join snapshot_data_keys d using (kind);

select is((select array_agg(k order by k) from jsonb_object_keys(snap) k), array['data', 'seq', 'topic'],
          format('%s snapshot is {topic, seq, data}', kind))
  from snaps order by kind;
select is((select array_agg(k order by k) from jsonb_object_keys(snap -> 'data') k), data_keys,
          format('%s snapshot data holds %s', kind, array_to_string(data_keys, ', ')))
  from snaps order by kind;
select is((snap ->> 'seq')::bigint, plater_private.topic_head(snap ->> 'topic'),
          format('%s snapshot seq is the topic''s current seq', kind))
  from snaps order by kind;

-- each element has the shape of the events minus seq/ts, and equals the latest event for that entity
select is_empty(format($$
  select e from jsonb_array_elements(%L::jsonb -> 'data' -> %L) e
   where (select array_agg(k order by k) from jsonb_object_keys(e) k) is distinct from
         (select array(select k from unnest(keys) k where k not in ('seq', 'ts') order by k)
            from payload_keys where kind = %L and event = %L)
$$, s.snap, c.coll, s.kind, c.event), format('%s snapshot %s have the event shape without seq/ts', s.kind, c.coll))
  from snaps s
  join (values ('items', 'item'), ('orders', 'order'), ('tables', 'table')) c (coll, event) on c.coll = any (s.data_keys)
 order by s.kind, c.coll;
select is_empty(format($$
  select e from jsonb_array_elements(%L::jsonb -> 'data' -> %L) e
    join lateral (select p.payload from tests.published_in_file() p
                   where p.topic = %L and p.payload ->> 'id' = e ->> 'id' order by p.seq desc limit 1) last on true
   where last.payload - 'seq' - 'ts' <> e
$$, s.snap, c.coll, s.snap ->> 'topic'), format('%s snapshot %s equal the latest event of each (events and snapshot agree)', s.kind, c.coll))
  from snaps s
  join (values ('items', 'item'), ('orders', 'order'), ('tables', 'table')) c (coll, event) on c.coll = any (s.data_keys)
 order by s.kind, c.coll;

-- contents
select set_eq(format($$select e ->> 'id' from jsonb_array_elements(%L::jsonb -> 'data' -> 'items') e$$, :'snap_kds'),
              format($$select id::text from public.order_items where station_id = %L and status in ('held', 'pending', 'preparing', 'ready')$$, :'grill'),
              'kds snapshot: the station''s live items (held, pending, preparing, ready), nothing else');
select set_eq(format($$select e ->> 'id' from jsonb_array_elements(%L::jsonb -> 'data' -> 'orders') e$$, :'snap_expo'),
              format($$select id::text from public.orders where restaurant_id = %L and status in ('open', 'ready')$$, tests.bistro()),
              'expo snapshot: the restaurant''s open and ready orders');
select set_eq(format($$select e ->> 'id' from jsonb_array_elements(%L::jsonb -> 'data' -> 'tables') e$$, :'snap_server'),
              format($$select id::text from public.dining_tables where server_id = %L$$, :'ben'),
              'server snapshot: the server''s own tables');
select set_eq(format($$select e ->> 'id' from jsonb_array_elements(%L::jsonb -> 'data' -> 'tables') e$$, :'snap_floor'),
              format($$select id::text from public.dining_tables where restaurant_id = %L$$, tests.bistro()),
              'floor snapshot: every table of the restaurant');
select is(jsonb_array_length(:'snap_kds'::jsonb -> 'data' -> 'items'), 1, 'the grill has exactly one live item (the burger of the third order)');

-- =========================================================================================================
-- 5. Catch-up: topic_events and topic_seq.
-- =========================================================================================================
select tests.act_as('cook.grill@bistro.test');
select public.topic_seq(:'kds_grill') as grill_head \gset
select public.topic_events(:'kds_grill', (:'grill_head')::bigint - 3) as ev \gset
select is((select array_agg(k order by k) from jsonb_object_keys(:'ev'::jsonb) k), array['events', 'last_seq', 'more', 'status', 'topic'],
          'topic_events answers {status, topic, last_seq, events, more}');
select is((:'ev'::jsonb ->> 'status', (:'ev'::jsonb ->> 'last_seq')::bigint, jsonb_array_length(:'ev'::jsonb -> 'events'),
           (:'ev'::jsonb ->> 'more')::boolean),
          ('ok'::text, (:'grill_head')::bigint, 3, false), 'the last three events, and no more');
select tests.reset_role();
select is(:'ev'::jsonb -> 'events',
          (select jsonb_agg(jsonb_build_object('event', l.event, 'payload', l.payload) order by l.seq)
             from plater_private.topic_log l where l.topic = :'kds_grill' and l.seq > (:'grill_head')::bigint - 3),
          'the events are the topic log''s {event, payload} after after_seq, oldest first');
select tests.act_as('cook.grill@bistro.test');
select is((select (e ->> 'more')::boolean and jsonb_array_length(e -> 'events') = 2
                   and (e -> 'events' -> 0 -> 'payload' ->> 'seq')::bigint = (:'grill_head')::bigint - 3
             from public.topic_events(:'kds_grill', (:'grill_head')::bigint - 4, 2) e), true,
          'max_events limits the page and says there is more');
select is(public.topic_events(:'kds_grill', :'grill_head'),
          jsonb_build_object('status', 'ok', 'topic', :'kds_grill', 'last_seq', (:'grill_head')::bigint,
                             'events', '[]'::jsonb, 'more', false),
          'caught up: no events, no more');
select is(public.topic_events(:'kds_grill', (:'grill_head')::bigint + 5),
          jsonb_build_object('status', 'refetch', 'topic', :'kds_grill', 'last_seq', (:'grill_head')::bigint,
                             'reason', 'ahead_of_topic'),
          'a client ahead of the topic (the database was reset) is told to refetch: ahead_of_topic');
select is(public.topic_seq(:'crew'), 0::bigint, 'a topic nobody published on is at seq 0');
select is(public.topic_events(:'crew', 0),
          jsonb_build_object('status', 'ok', 'topic', :'crew', 'last_seq', 0, 'events', '[]'::jsonb, 'more', false),
          'and has no events');
select throws_ok(format('select public.topic_events(%L, %s, %s)', :'kds_grill', a, m), 'PT400',
                 'after_seq must be >= 0 and max_events between 1 and 5000',
                 format('topic_events(after_seq %s, max_events %s) is invalid input', a, m))
  from (values ('-1', '10'), ('null', '10'), ('0', '0'), ('0', '5001'), ('0', 'null')) v (a, m);

-- retention: events older than 24 hours are pruned, and a client behind the pruned point must refetch
select tests.reset_role();
update plater_private.topic_log set created_at = now() - interval '25 hours'
 where topic = :'kds_grill' and seq <= (:'grill_head')::bigint - 2;
select ok(plater_private.prune_topic_log() >= 1, 'prune_topic_log() removes log entries older than 24 hours');
select is((select pruned_through from plater_private.topic_retention where topic = :'kds_grill'), (:'grill_head')::bigint - 2,
          'pruning records the highest pruned seq');
select tests.act_as('cook.grill@bistro.test');
select is(public.topic_events(:'kds_grill', (:'grill_head')::bigint - 3),
          jsonb_build_object('status', 'refetch', 'topic', :'kds_grill', 'last_seq', (:'grill_head')::bigint,
                             'reason', 'beyond_retention'),
          'a client behind the pruned point is told to refetch: beyond_retention');
select is((select jsonb_array_length(e -> 'events') from public.topic_events(:'kds_grill', (:'grill_head')::bigint - 2) e), 2,
          'a client exactly at the pruned point still catches up');
select is(public.topic_seq(:'kds_grill'), (:'grill_head')::bigint, 'pruning does not move the topic''s seq');
select tests.reset_role();
-- everything written before this transaction (the seed, earlier files) and one floor event aged by a second
update plater_private.topic_log set created_at = now() - interval '1 second'
 where topic = :'floor' and seq = (select min(seq) from plater_private.topic_log where topic = :'floor');
select count(*) as older_than_now from plater_private.topic_log where created_at < now() \gset
select is(plater_private.prune_topic_log('0 seconds'), (:'older_than_now')::bigint,
          'prune_topic_log(''0 seconds'') removes exactly the entries written before now');
select is(plater_private.prune_topic_log('0 seconds'), 0::bigint, 'and a second prune finds nothing more to remove');
select pruned_through as floor_pruned from plater_private.topic_retention where topic = :'floor' \gset
select tests.act_as('manager@bistro.test');
select is((public.topic_events(:'floor', 0)) ->> 'reason', 'beyond_retention',
          'after pruning everything older than now, catching up the floor from 0 is beyond retention');
select is((public.topic_events(:'floor', (:'floor_pruned')::bigint)) ->> 'status',
          'ok', 'while the floor''s events written since are still served');
select tests.reset_role();
-- a topic whose whole log was pruned keeps its seq: there is no counter, so the next message continues after
-- the pruned point (read from topic_retention) instead of starting over at 1
select plater_private.topic_head(:'expo') as expo_head \gset
select ok((:'expo_head')::bigint > 1, 'expo has published in this file');
update plater_private.topic_log set created_at = now() - interval '25 hours' where topic = :'expo';
select ok(plater_private.prune_topic_log() >= 1, 'pruning removes the aged expo log');
select is_empty(format('select seq from plater_private.topic_log where topic = %L', :'expo'), 'the expo log is pruned empty');
select is(plater_private.topic_head(:'expo'), (:'expo_head')::bigint, 'and the topic stays at its seq');
select is(plater_private.publish(tests.bistro(), :'expo', 'order', '{}'), (:'expo_head')::bigint + 1,
          'the next message on it continues after the pruned point');

-- =========================================================================================================
-- 6. Access: the same read rule as the socket join. PT403 for a staff member without the right,
--    PT401 without a staff member, 42501 for anon (no EXECUTE).
-- =========================================================================================================
create temp table topic_access (n serial, actor text, topic text, code text, what text);
insert into topic_access (actor, topic, code, what) values
  ('cook.grill@bistro.test', :'kds_grill', null, 'a cook reads their station'),
  ('cook.grill@bistro.test', tests.topic('kds', tests.bistro(), :'fry'), 'PT403', 'a cook may not read another station'),
  ('cook.grill@bistro.test', :'expo', 'PT403', 'a cook may not read expo'),
  ('cook.grill@bistro.test', :'floor', 'PT403', 'a cook may not read the floor'),
  ('server.ben@bistro.test', :'server_ana', 'PT403', 'a server may not read another server''s topic'),
  ('server.ana@bistro.test', :'admin', 'PT403', 'a server may not read admin'),
  ('expo@bistro.test', :'admin', 'PT403', 'expo may not read admin'),
  ('expo@bistro.test', :'server_ana', 'PT403', 'expo may not read a server topic'),
  ('manager@diner.test', :'admin', 'PT403', 'another restaurant''s manager may not read this admin topic'),
  ('manager@diner.test', :'kds_grill', 'PT403', 'nor its kds'),
  ('nostaff', :'crew', 'PT401', 'a signed-in user without a staff row is unauthenticated'),
  ('nosub', :'crew', 'PT401', 'a token without sub is unauthenticated'),
  ('service_role', :'admin', 'PT401', 'the service role is no staff member'),
  ('anon', :'floor', '42501', 'anon may not call the topic functions');

select tests.create_user('nostaff@bistro.test') is not null as ok \gset
create function tests.topic_code(actor text, call text) returns text
language plpgsql
as $$
declare
  code text;
begin
  case actor
    when 'anon' then perform tests.act_as_anon();
    when 'service_role' then perform tests.act_as_service();
    when 'nostaff' then perform tests.act_as('nostaff@bistro.test');
    when 'nosub' then perform tests.act_as_user(null);
    else perform tests.act_as(actor);
  end case;
  code := tests.sqlstate_of(call);
  perform tests.reset_role();
  return code;
end;
$$;

select is(tests.topic_code(a.actor, format('select public.%s(%L%s)', f.fn, a.topic, f.args)), a.code,
          format('%s: %s → %s', f.fn, a.what, coalesce(a.code, 'allowed')))
  from topic_access a cross join (values ('topic_snapshot', ''), ('topic_events', ', 0'), ('topic_seq', '')) f (fn, args)
 order by a.n, f.fn;

select * from finish();
rollback;
