-- Contiguous seq under concurrent writers (docs/topics.md: "seq contiguous per topic ... a rolled-back write
-- leaves no gap"). Real concurrency needs real sessions, so this file opens dblink connections to its own
-- database and lets several staff members place orders and work the kitchen at the same time, committing and
-- rolling back for real. Those sessions COMMIT, so everything they write lives in a throw-away restaurant
-- ("pgtap concurrency …", fresh ids every run) that the file deletes again at the end (and at the start, in
-- case an earlier run died half-way). It does not depend on, or touch, any other restaurant.
--
-- Connection: dblink connects like pg_prove did (same database, host, port and user). With password auth it
-- takes the password from PLATER_DB_URL (the stack's test runner exports it, docs/architecture.md) or
-- PGPASSWORD; with trust auth none is needed.
\set db_url ''
\getenv db_url PLATER_DB_URL
\set db_password ''
\getenv db_password PGPASSWORD

begin;
\ir helpers/act_as.sql
create extension if not exists dblink;

select plan(19);

select set_config('tests.db_url', :'db_url', true) || set_config('tests.db_password', :'db_password', true) as configured \gset

-- libpq keyword/value connection string for this very database.
create function tests.dsn() returns text
language sql stable
as $$
  select format('dbname=%s host=%s port=%s user=%s application_name=pgtap_concurrency connect_timeout=10%s',
                quote_literal(current_database()),
                coalesce(host(inet_server_addr()), split_part(current_setting('unix_socket_directories'), ',', 1)),
                current_setting('port'), quote_literal(session_user),
                coalesce(' password=' || quote_literal(coalesce(
                  nullif(current_setting('tests.db_password', true), ''),
                  nullif(substring(current_setting('tests.db_url', true) from '^postgres(?:ql)?://[^:/@]+:([^@]*)@'), '')
                )), ''))
$$;

-- Open a named connection; its session acts as `email` (or stays the superuser when email is null).
create function tests.open(name text, email text default null) returns void
language plpgsql
as $$
begin
  perform dblink_connect(name, tests.dsn());
  perform dblink_exec(name, $x$set statement_timeout = '60s'$x$);
  if email is not null then
    perform dblink_exec(name, format($x$set request.jwt.claims = %L; set request.jwt.claim.sub = %L$x$,
                                     jsonb_build_object('sub', tests.user_id(email), 'role', 'authenticated')::text,
                                     tests.user_id(email)));
    perform dblink_exec(name, 'set role authenticated');
  end if;
end;
$$;

-- Wait for a connection's query; 'ok' or the remote error.
create function tests.wait(name text) returns text
language plpgsql
as $$
declare
  outcome text := 'ok';
  status text;
  rounds int := 0;
begin
  loop
    rounds := rounds + 1;
    exit when rounds > 100;
    begin
      select r into status from dblink_get_result(name) as t (r text);
      exit when not found;
    exception when others then
      outcome := sqlerrm;
    end;
  end loop;
  return outcome;
end;
$$;

-- Remove every throw-away restaurant with its users, topic log and realtime messages (committed, through a
-- separate session). status_history is append-only by trigger, so its rows go with the trigger skipped
-- (session_replication_role = replica, superuser only); the rest is deleted children first.
create function tests.cleanup() returns void
language plpgsql
as $$
declare
  ids text;
begin
  perform tests.open('pgtap_cleanup');
  select string_agg(quote_literal(id::text), ',') into ids
    from dblink('pgtap_cleanup', $x$select id from public.restaurants where name like 'pgtap concurrency %'$x$)
         as t (id uuid);
  if ids is not null then
    perform dblink_exec('pgtap_cleanup', format($x$
      begin;
      set local session_replication_role = replica;
      delete from public.status_history where restaurant_id::text in (%1$s);
      set local session_replication_role = origin;
      -- children first: the restaurant's own cascade trips over the (restaurant, station) foreign keys
      delete from public.orders where restaurant_id::text in (%1$s);
      delete from public.dining_tables where restaurant_id::text in (%1$s);
      delete from public.menu_items where restaurant_id::text in (%1$s);
      delete from public.staff where restaurant_id::text in (%1$s);
      delete from public.stations where restaurant_id::text in (%1$s);
      delete from public.restaurants where id::text in (%1$s);
      delete from plater_private.topic_log where split_part(topic, ':', 2) in (%1$s);
      delete from plater_private.topic_retention where split_part(topic, ':', 2) in (%1$s);
      delete from realtime.messages where split_part(topic, ':', 2) in (%1$s);
      commit;
    $x$, ids));
  end if;
  perform dblink_exec('pgtap_cleanup', $x$delete from auth.users where email like 'pgtap.concurrency.%@example.test'$x$);
  perform dblink_disconnect('pgtap_cleanup');
end;
$$;

select tests.cleanup() is null as cleaned \gset

-- ---------------------------------------------------------------------------------------------------------
-- The throw-away restaurant: 6 servers with a seated table each, a grill and a fry cook, one menu item per
-- station. Created through dblink so that the writer sessions see it.
-- ---------------------------------------------------------------------------------------------------------
select gen_random_uuid() as r, gen_random_uuid() as grill, gen_random_uuid() as fry,
       gen_random_uuid() as burger, gen_random_uuid() as fries, 6 as servers, 10 as rounds \gset

select tests.open('pgtap_setup') is null as opened \gset
select dblink_exec('pgtap_setup', format($x$
  begin;
  insert into public.restaurants (id, name) values (%1$L, 'pgtap concurrency ' || %1$L);
  insert into public.stations (id, restaurant_id, slug, name) values (%2$L, %1$L, 'grill', 'Grill'), (%3$L, %1$L, 'fry', 'Fry');
  insert into public.menu_items (id, restaurant_id, station_id, name, price_cents)
  values (%4$L, %1$L, %2$L, 'Burger', 1000), (%5$L, %1$L, %3$L, 'Fries', 400);
  insert into auth.users (id, email)
  select gen_random_uuid(), 'pgtap.concurrency.' || who || '.' || %1$L || '@example.test'
    from unnest(array['cook1', 'cook2'] || array(select 'server' || n from generate_series(1, %6$s) n)) who;
  insert into public.staff (user_id, restaurant_id, role, station_id, display_name)
  select u.id, %1$L, case when u.email like '%%cook%%' then 'cook' else 'server' end::public.staff_role,
         case when u.email like '%%cook1%%' then %2$L::uuid when u.email like '%%cook2%%' then %3$L::uuid end,
         split_part(u.email, '.', 3)
    from auth.users u where u.email like 'pgtap.concurrency.%%.' || %1$L || '@example.test';
  insert into public.dining_tables (restaurant_id, label, seats, status, server_id, party_size, seated_at)
  select %1$L, 'C' || n, 4, 'seated', u.id, 2, now()
    from generate_series(1, %6$s) n
    join auth.users u on u.email = 'pgtap.concurrency.server' || n || '.' || %1$L || '@example.test';
  commit;
$x$, :'r', :'grill', :'fry', :'burger', :'fries', :'servers')) as setup \gset
select dblink_disconnect('pgtap_setup') as disconnected \gset

select is((select count(*) from public.staff where restaurant_id = :'r'), (:'servers')::bigint + 2,
          'the throw-away restaurant has its servers and two cooks (committed, visible here)');

-- ---------------------------------------------------------------------------------------------------------
-- Fire: every server places `rounds` orders (Burger + Fries), committing each, rolling back every 4th, and
-- every 5th round also tries an invalid order that fails inside a subtransaction; meanwhile each cook
-- starts pending items at their station and finishes every other one, one transaction per move.
-- ---------------------------------------------------------------------------------------------------------
select count(tests.open('server' || n, 'pgtap.concurrency.server' || n || '.' || :'r' || '@example.test')) as opened
  from generate_series(1, :servers) n \gset
select count(tests.open('cook' || n, 'pgtap.concurrency.cook' || n || '.' || :'r' || '@example.test')) as opened
  from generate_series(1, 2) n \gset

select count(dblink_send_query('server' || n, format($x$
  do $do$
  declare
    i int;
  begin
    for i in 1..%3$s loop
      perform public.place_order(%1$L, jsonb_build_array(jsonb_build_object('menu_item_id', %2$L, 'qty', 1),
                                                         jsonb_build_object('menu_item_id', %4$L, 'qty', 1)));
      if i %% 5 = 0 then
        begin
          perform public.place_order(%1$L, '[{"menu_item_id": "00000000-0000-0000-0000-000000000000", "qty": 1}]');
        exception when sqlstate 'PT400' then
          null;
        end;
      end if;
      if i %% 4 = 0 then
        rollback;
      else
        commit;
      end if;
    end loop;
  end;
  $do$
$x$, (select id from public.dining_tables where restaurant_id = :'r' and label = 'C' || n), :'burger', :rounds, :'fries')))
  as sent from generate_series(1, :servers) n \gset

select count(dblink_send_query('cook' || n, format($x$
  do $do$
  declare
    moved int := 0;
    idle int := 0;
    item uuid;
  begin
    while moved < %1$s and idle < 400 loop
      select i.id into item from public.order_items i where i.status = 'pending' order by i.created_at, i.id limit 1;
      if item is null then
        -- give up after 2 s without work
        idle := idle + 1;
        perform pg_sleep(0.005);
        continue;
      end if;
      idle := 0;
      perform public.start_item(item);
      commit;
      if moved %% 2 = 0 then
        perform public.finish_item(item);
        commit;
      end if;
      moved := moved + 1;
    end loop;
  end;
  $do$
$x$, :servers * (:rounds - :rounds / 4))))
  as sent from generate_series(1, 2) n \gset

create temp table outcomes as
  select name, tests.wait(name) as outcome
    from (select 'server' || n as name from generate_series(1, :servers) n
          union all select 'cook' || n from generate_series(1, 2) n) c;
select count(dblink_disconnect(name)) as disconnected from outcomes \gset

select is((select string_agg(name || ': ' || outcome, '; ') from outcomes where outcome <> 'ok'), null,
          'every writer session finished without an error');

-- ---------------------------------------------------------------------------------------------------------
-- Check: exactly what committed, and every topic's seq is 1..n without gaps.
-- ---------------------------------------------------------------------------------------------------------
create temp table r_topics as
  select s.topic, s.last_seq, count(l.seq) as n, min(l.seq) as lo, max(l.seq) as hi
    from tests.topic_heads() s left join plater_private.topic_log l using (topic)
   where split_part(s.topic, ':', 2) = :'r'
   group by s.topic, s.last_seq;

select is((select count(*) from public.orders where restaurant_id = :'r'), (:servers * (:rounds - :rounds / 4))::bigint,
          'every committed order is there and no rolled-back or invalid one');
select ok((select count(*) from public.order_items where restaurant_id = :'r' and status <> 'pending') > 0,
          'the cooks moved items while the servers were placing orders');
select ok((select count(*) from (
             select o.server_id, lag(o.server_id) over (order by l.seq) as prev
               from plater_private.topic_log l join public.orders o on o.id::text = l.payload ->> 'id'
              where l.topic = 'expo:' || :'r' and l.event = 'order' and (l.payload ->> 'version')::int = 1) x
            where server_id <> prev) >= :servers,
          'the writers really overlapped: on expo, new orders of different servers interleave');
select is((select count(*) from r_topics), (:servers + 5)::bigint,
          'topics written: floor, expo, admin, two kds and one per server');
select is_empty($$select topic from r_topics where n <> last_seq or lo <> 1 or hi <> last_seq$$,
                'every topic''s log is exactly seq 1..last_seq: contiguous under concurrent writers and rollbacks');
select is_empty(format($$
  select topic, seq from (
    select l.topic, l.seq, (l.payload ->> 'seq')::bigint as payload_seq,
           (l.payload ->> 'ts')::bigint as ts, lag((l.payload ->> 'ts')::bigint) over (partition by l.topic order by l.seq) as prev_ts
      from plater_private.topic_log l where split_part(l.topic, ':', 2) = %L) x
   where payload_seq <> seq or ts < prev_ts
$$, :'r'), 'seq order is time order on every topic (envelope seq = log seq, ts never goes back)');

-- every committed change was published exactly once on each topic it concerns
select is((select last_seq from r_topics where topic = 'expo:' || :'r'),
          (select count(*) from public.status_history where restaurant_id = :'r' and entity in ('order', 'item')),
          'expo got one message per committed order/item change (= the status history), none lost, none extra');
select is((select last_seq from r_topics where topic = format('kds:%s:%s', :'r', :'grill')),
          (select count(*) from public.status_history h join public.order_items i on i.id = h.entity_id
            where h.restaurant_id = :'r' and h.entity = 'item' and i.station_id = :'grill'),
          'the grill kds got one message per committed grill item change');
select is((select last_seq from r_topics where topic = format('kds:%s:%s', :'r', :'fry')),
          (select count(*) from public.status_history h join public.order_items i on i.id = h.entity_id
            where h.restaurant_id = :'r' and h.entity = 'item' and i.station_id = :'fry'),
          'the fry kds got one message per committed fry item change');
select is((select sum(last_seq)::bigint from r_topics where topic like 'server:%'),
          (select count(*) from public.status_history where restaurant_id = :'r' and entity in ('order', 'item'))
          + :servers,
          'the server topics together got one message per committed order/item change (plus their table''s creation)');
select is((select last_seq from r_topics where topic = 'admin:' || :'r'),
          (select count(*) from public.status_history where restaurant_id = :'r') + :servers,
          'admin got every committed change (plus the tables'' creation)');
select is((select last_seq from r_topics where topic = 'floor:' || :'r'), (:servers)::bigint,
          'the floor got only the tables'' creation');
select is_empty(format($$
  select r.topic from r_topics r
   where r.last_seq <> (select count(*) from realtime.messages m
                         where m.topic = r.topic and m.private is true and m.extension = 'broadcast')
$$), 'realtime.messages holds exactly the committed messages of each topic');
select is_empty(format($$
  select l.topic, l.seq from plater_private.topic_log l
   where split_part(l.topic, ':', 2) = %L
     and not exists (select 1 from realtime.messages m where m.topic = l.topic and m.payload = l.payload)
$$, :'r'), 'and each of them with the topic log''s payload');
select is_empty(format($$
  select p.topic from plater_private.topic_log p
    join public.order_items i on i.id::text = p.payload ->> 'id'
   where split_part(p.topic, ':', 2) = %L and p.topic like 'kds:%%' and i.station_id::text <> split_part(p.topic, ':', 3)
$$, :'r'), 'no kds topic carried another station''s item under concurrency');
select is((select count(*) from public.orders o where o.restaurant_id = :'r' and o.status::text <> (
            select case when bool_and(i.status in ('ready', 'served')) then 'ready' else 'open' end
              from public.order_items i where i.order_id = o.id)), 0::bigint,
          'every order''s status matches its items after the concurrent moves');

-- ---------------------------------------------------------------------------------------------------------
-- Clean up the committed rows and prove it.
-- ---------------------------------------------------------------------------------------------------------
select tests.cleanup();
select is((select count(*) from public.restaurants where name like 'pgtap concurrency %')
          + (select count(*) from auth.users where email like 'pgtap.concurrency.%@example.test')
          + (select count(*) from plater_private.topic_retention where split_part(topic, ':', 2) = :'r')
          + (select count(*) from plater_private.topic_log where split_part(topic, ':', 2) = :'r')
          + (select count(*) from realtime.messages where split_part(topic, ':', 2) = :'r'), 0::bigint,
          'the throw-away restaurant, its users, topic log and messages are gone');

select * from finish();
rollback;
