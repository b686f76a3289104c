-- The join policies on realtime.messages (docs/topics.md), probed exactly the way Supabase Realtime does it
-- (supabase/realtime lib/realtime/tenants/authorization.ex, its set_conn_config and probe rows, rolled back):
--   read:  as the privileged user insert one probe row per extension (broadcast, presence) for the topic, then
--          switch to the user's role + claims + realtime.topic and select the probe ids: visible = may read;
--   write: as the user, insert a (topic, extension) row: success = may write, 42501 (RLS) = may not.
-- Everything is rolled back after each probe.
begin;
\ir helpers/act_as.sql

select plan(299);

-- An inactive server and a signed-in user without a staff row, besides the seed's staff.
insert into public.staff (user_id, restaurant_id, role, station_id, display_name, active)
values (tests.create_user('inactive.server@bistro.test'), tests.bistro(), 'server', null, 'Ivo (inactive)', false);
select tests.create_user('nostaff@bistro.test') is not null as ok \gset

-- 'read=<broadcast>/<presence> write=<broadcast>/<presence>' with yes/no, for `actor` joining `topic`
-- ('anon' acts with the anon key; a NULL topic leaves realtime.topic unset).
create function tests.probe(actor text, topic text) returns text
language plpgsql
as $$
declare
  probe_b uuid := gen_random_uuid();
  probe_p uuid := gen_random_uuid();
  read_b boolean;
  read_p boolean;
  write_b boolean;
  write_p boolean;
begin
  begin
    -- as the privileged connection user, before switching: one probe row per extension
    insert into realtime.messages (id, topic, extension) values (probe_b, coalesce(topic, ''), 'broadcast'),
                                                               (probe_p, coalesce(topic, ''), 'presence');
    if actor = 'anon' then
      perform tests.act_as_anon();
    else
      perform tests.act_as(actor);
    end if;
    perform set_config('realtime.topic', coalesce(topic, ''), true);
    read_b := exists (select 1 from realtime.messages m where m.id = probe_b);
    read_p := exists (select 1 from realtime.messages m where m.id = probe_p);
    write_b := tests.can_insert(topic, 'broadcast');
    write_p := tests.can_insert(topic, 'presence');
    -- undo the probes and the role switch
    raise exception using errcode = 'TSTRB';
  exception when sqlstate 'TSTRB' then
    null;
  end;
  return format('read=%s/%s write=%s/%s',
                case when read_b then 'yes' else 'no' end, case when read_p then 'yes' else 'no' end,
                case when write_b then 'yes' else 'no' end, case when write_p then 'yes' else 'no' end);
end;
$$;

-- The write probe: true when the insert passes RLS, false on insufficient_privilege (42501); anything else
-- is a real error and propagates.
create function tests.can_insert(topic text, extension text) returns boolean
language plpgsql
as $$
begin
  begin
    insert into realtime.messages (topic, extension) values (coalesce(topic, ''), extension);
  exception when insufficient_privilege then
    return false;
  end;
  return true;
end;
$$;

-- What docs/topics.md says: read (broadcast and presence alike) for the listed staff; presence writes where
-- one may read; broadcast writes only on crew.
create function tests.expected(may_read boolean, topic text) returns text
language sql immutable
as $$
  select format('read=%1$s/%1$s write=%2$s/%1$s',
                case when may_read then 'yes' else 'no' end,
                case when may_read and split_part(topic, ':', 1) = 'crew' then 'yes' else 'no' end)
$$;

create temp table actors (email text primary key);
insert into actors values
  ('manager@bistro.test'), ('expo@bistro.test'), ('cook.grill@bistro.test'), ('cook.fry@bistro.test'),
  ('server.ana@bistro.test'), ('server.ben@bistro.test'), ('manager@diner.test'), ('cook.grill@diner.test'),
  ('server.cy@diner.test'), ('inactive.server@bistro.test'), ('nostaff@bistro.test'), ('anon');

-- Each topic and the staff who may join it.
create temp table topics (n serial, name text, topic text, readers text[]);
insert into topics (name, topic, readers) values
  ('kds:bistro:grill', tests.topic('kds', tests.bistro(), tests.station_id(tests.bistro(), 'grill')),
   array['cook.grill@bistro.test', 'expo@bistro.test', 'manager@bistro.test']),
  ('kds:bistro:fry', tests.topic('kds', tests.bistro(), tests.station_id(tests.bistro(), 'fry')),
   array['cook.fry@bistro.test', 'expo@bistro.test', 'manager@bistro.test']),
  ('kds:bistro:salad', tests.topic('kds', tests.bistro(), tests.station_id(tests.bistro(), 'salad')),
   array['expo@bistro.test', 'manager@bistro.test']),
  ('kds:bistro:bar', tests.topic('kds', tests.bistro(), tests.station_id(tests.bistro(), 'bar')),
   array['expo@bistro.test', 'manager@bistro.test']),
  ('expo:bistro', tests.topic('expo', tests.bistro()), array['expo@bistro.test', 'manager@bistro.test']),
  ('server:bistro:ana', tests.topic('server', tests.bistro(), tests.user_id('server.ana@bistro.test')),
   array['server.ana@bistro.test', 'manager@bistro.test']),
  ('server:bistro:ben', tests.topic('server', tests.bistro(), tests.user_id('server.ben@bistro.test')),
   array['server.ben@bistro.test', 'manager@bistro.test']),
  ('floor:bistro', tests.topic('floor', tests.bistro()),
   array['server.ana@bistro.test', 'server.ben@bistro.test', 'expo@bistro.test', 'manager@bistro.test']),
  ('admin:bistro', tests.topic('admin', tests.bistro()), array['manager@bistro.test']),
  ('crew:bistro', tests.topic('crew', tests.bistro()),
   array['manager@bistro.test', 'expo@bistro.test', 'cook.grill@bistro.test', 'cook.fry@bistro.test',
         'server.ana@bistro.test', 'server.ben@bistro.test']),
  ('kds:diner:grill', tests.topic('kds', tests.diner(), tests.station_id(tests.diner(), 'grill')),
   array['cook.grill@diner.test', 'manager@diner.test']),
  ('kds:diner:bar', tests.topic('kds', tests.diner(), tests.station_id(tests.diner(), 'bar')),
   array['manager@diner.test']),
  ('expo:diner', tests.topic('expo', tests.diner()), array['manager@diner.test']),
  ('server:diner:cy', tests.topic('server', tests.diner(), tests.user_id('server.cy@diner.test')),
   array['server.cy@diner.test', 'manager@diner.test']),
  ('floor:diner', tests.topic('floor', tests.diner()), array['server.cy@diner.test', 'manager@diner.test']),
  ('admin:diner', tests.topic('admin', tests.diner()), array['manager@diner.test']),
  ('crew:diner', tests.topic('crew', tests.diner()),
   array['manager@diner.test', 'cook.grill@diner.test', 'server.cy@diner.test']),
  -- a bistro topic naming the diner's station: nobody
  ('kds:bistro:<diner grill>', tests.topic('kds', tests.bistro(), tests.station_id(tests.diner(), 'grill')), '{}');

-- =========================================================================================================
-- 1. Every topic × every actor.
-- =========================================================================================================
select is(tests.probe(a.email, t.topic), tests.expected(a.email = any (t.readers), t.topic),
          format('%s on %s: %s', a.email, t.name, tests.expected(a.email = any (t.readers), t.topic)))
  from topics t cross join actors a
 order by t.n, a.email;

-- =========================================================================================================
-- 2. Malformed topics: nobody reads or writes them, however privileged.
-- =========================================================================================================
create temp table malformed (n serial, topic text);
insert into malformed (topic) values
  ('kds:'), ('kds:' || tests.bistro()), ('kds:' || tests.bistro() || ':'),
  ('kds:' || tests.bistro() || ':' || tests.station_id(tests.bistro(), 'grill') || ':extra'),
  ('kds:' || tests.bistro() || ':' || upper(tests.station_id(tests.bistro(), 'grill')::text)),
  ('kds:' || tests.bistro() || ':grill'),
  ('expo:' || tests.bistro() || ':x'), ('admin:' || tests.bistro() || ':x'), ('floor:' || tests.bistro() || ':'),
  ('crew:' || tests.bistro() || ':x'), ('crew:'), ('crew'), ('admin'), (''), ('random-string'), ('::::'),
  ('realtime:admin:' || tests.bistro()), ('ADMIN:' || tests.bistro()), ('admin:' || upper(tests.bistro()::text)),
  ('admin: ' || tests.bistro()), ('admin:' || tests.bistro() || ' '),
  ('server:' || tests.bistro()), ('server:' || tests.bistro() || ':nobody'),
  ('server:' || tests.bistro() || ':00000000-0000-4000-8000-0000000000ff');

select is(tests.probe(a.email, m.topic), 'read=no/no write=no/no', format('%s may not join malformed topic %L', a.email, m.topic))
  from malformed m cross join (values ('manager@bistro.test'), ('expo@bistro.test'), ('server.ana@bistro.test')) a (email)
 order by m.n, a.email;

select is(tests.probe('manager@bistro.test', null), 'read=no/no write=no/no',
          'without realtime.topic set, even a manager is denied');

-- =========================================================================================================
-- 3. The policies are what is being probed: exactly ours on realtime.messages, RLS on, and roles from staff.
-- =========================================================================================================
select ok((select relrowsecurity from pg_class where oid = 'realtime.messages'::regclass), 'RLS is enabled on realtime.messages');
select is((select array_agg(policyname::text order by policyname) from pg_policies
            where schemaname = 'realtime' and tablename = 'messages' and policyname like 'plater %'),
          array['plater staff receive their topics', 'plater staff write where clients may'],
          'plater''s two policies on realtime.messages');
select is_empty($$
  select policyname from pg_policies where schemaname = 'realtime' and tablename = 'messages'
     and policyname like 'plater %' and roles <> '{authenticated}'
$$, 'plater''s realtime policies apply to authenticated only');

-- A JWT claiming a role does not open a topic: roles come from staff rows.
select is((select tests.probe('cook.grill@bistro.test', tests.topic('admin', tests.bistro()))), 'read=no/no write=no/no',
          'a cook cannot join admin');
create function tests.probe_with_claims(email text, topic text, extra jsonb) returns boolean
language plpgsql
as $$
declare
  probe uuid := gen_random_uuid();
  seen boolean;
begin
  begin
    insert into realtime.messages (id, topic, extension) values (probe, topic, 'broadcast');
    perform tests.act_as(email);
    perform set_config('request.jwt.claims', (current_setting('request.jwt.claims')::jsonb || extra)::text, true);
    perform set_config('realtime.topic', topic, true);
    seen := exists (select 1 from realtime.messages where id = probe);
    raise exception using errcode = 'TSTRB';
  exception when sqlstate 'TSTRB' then
    null;
  end;
  return seen;
end;
$$;
select is(tests.probe_with_claims('cook.grill@bistro.test', tests.topic('admin', tests.bistro()),
                                  '{"user_role":"manager","app_metadata":{"role":"manager"}}'), false,
          'a cook whose JWT claims manager still cannot read admin');

-- Deactivating a staff member revokes their topics at the next probe (token refresh).
update public.staff set active = false where user_id = tests.user_id('expo@bistro.test');
select is(tests.probe('expo@bistro.test', tests.topic('expo', tests.bistro())), 'read=no/no write=no/no',
          'deactivated expo can no longer join expo');
select is(tests.probe('expo@bistro.test', tests.topic('crew', tests.bistro())), 'read=no/no write=no/no',
          'nor crew');
update public.staff set active = true where user_id = tests.user_id('expo@bistro.test');
select is(tests.probe('expo@bistro.test', tests.topic('expo', tests.bistro())), 'read=yes/yes write=no/yes',
          'reactivated, expo joins expo again');

-- Moving a cook to another station moves their kds topic with them.
update public.staff set station_id = tests.station_id(tests.bistro(), 'salad') where user_id = tests.user_id('cook.fry@bistro.test');
select is((tests.probe('cook.fry@bistro.test', tests.topic('kds', tests.bistro(), tests.station_id(tests.bistro(), 'fry'))),
           tests.probe('cook.fry@bistro.test', tests.topic('kds', tests.bistro(), tests.station_id(tests.bistro(), 'salad')))),
          ('read=no/no write=no/no'::text, 'read=yes/yes write=no/yes'::text),
          'a cook moved from fry to salad reads salad''s kds and no longer fry''s');

-- The probes left nothing behind.
select is_empty($$select 1 from realtime.messages where payload is null and event is null$$,
                'every probe row was rolled back');

select * from finish();
rollback;
