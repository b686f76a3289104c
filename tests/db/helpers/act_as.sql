-- Shared pgTAP helpers, in the style of usebasejump/supabase-test-helpers (its tests.authenticate_as).
--
-- Included by every test file right after `begin;` with `\ir helpers/act_as.sql`. Everything here is created
-- inside the test's transaction, so the file's final `rollback` removes it again: nothing persists, and a
-- database without these helpers is never touched. pg_prove runs each file through psql, which resolves `\ir`
-- relative to the including file.
--
--   acting:    tests.act_as(email) / tests.act_as_user(uid) / tests.act_as_anon() / tests.act_as_service()
--              / tests.reset_role()
--   fixtures:  tests.bistro() / tests.diner() (this file's own copies of the seeded restaurants, fixtures.sql)
--              / tests.user_id(email) / tests.station_id(restaurant, slug)
--              / tests.table_id(restaurant, label) / tests.menu_item_id(restaurant, name)
--              / tests.create_user(email) / tests.line(restaurant, name, qty, extra)
--   topics:    tests.topic(kind, restaurant, scope)
--   errors:    tests.sqlstate_of(sql) / tests.error_detail(sql)

set local client_min_messages = warning;
create extension if not exists pgtap;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

\ir fixtures.sql

/**
 * ### tests.reset_role()
 * Back to the session user (the superuser pg_prove connected as) with no JWT claims.
 */
create or replace function tests.reset_role() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  perform set_config('request.jwt.claim.sub', '', true);
  perform set_config('request.jwt.claim.role', '', true);
end;
$$;

/**
 * ### tests.act_as_user(uid uuid, email text default null)
 * Act as an authenticated Supabase user, the way PostgREST / the functions layer / Realtime do: role
 * `authenticated`, `request.jwt.claims` = {sub, role, email, aud, exp}, plus `request.jwt.claim.sub`/`.role`.
 * Local to the transaction. Works for users without a staff row too.
 */
create or replace function tests.act_as_user(uid uuid, email text default null) returns void
language plpgsql
as $$
begin
  perform tests.reset_role();
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', uid, 'role', 'authenticated', 'aud', 'authenticated', 'email', email,
    'exp', extract(epoch from now() + interval '1 hour')::bigint)::text, true);
  perform set_config('request.jwt.claim.sub', coalesce(uid::text, ''), true);
  perform set_config('request.jwt.claim.role', 'authenticated', true);
  perform set_config('role', 'authenticated', true);
end;
$$;

/**
 * ### tests.act_as(email text)
 * Act as the seeded (or test-created) auth user with this email. Example:
 * ```sql
 * select tests.act_as('cook.grill@bistro.test');
 * select is((select count(*) from public.orders), 0::bigint, 'cooks read no orders');
 * select tests.reset_role();
 * ```
 */
create or replace function tests.act_as(email text) returns void
language plpgsql
as $$
begin
  perform tests.act_as_user(tests.user_id(email), email);
end;
$$;

/** ### tests.act_as_anon() — the anon key: role `anon`, no `sub`. */
create or replace function tests.act_as_anon() returns void
language plpgsql
as $$
begin
  perform tests.reset_role();
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
  perform set_config('request.jwt.claim.role', 'anon', true);
  perform set_config('role', 'anon', true);
end;
$$;

/** ### tests.act_as_service() — the service-role key: role `service_role`, no `sub`. */
create or replace function tests.act_as_service() returns void
language plpgsql
as $$
begin
  perform tests.reset_role();
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
  perform set_config('request.jwt.claim.role', 'service_role', true);
  perform set_config('role', 'service_role', true);
end;
$$;

-- Fixture lookups run with the owner's rights (they read auth.users and tables the acting role may not see)
-- and raise when the fixture is missing, so a typo fails loudly instead of testing NULL.

/** The id a fixture lookup found, or an error naming what is missing. */
create or replace function tests.found(id uuid, what text) returns uuid
language plpgsql immutable
as $$
begin
  if id is null then
    raise exception 'test fixture: no %', what;
  end if;
  return id;
end;
$$;

/**
 * ### tests.user_id(email text) → the user's id; raises if there is none.
 * A fixture staff member by the seed email it stands in for (fixtures.sql), else an auth user with this email.
 */
create or replace function tests.user_id(email text) returns uuid
language sql stable security definer set search_path = ''
as $$
  select tests.found(coalesce((select p.user_id from tests.people p where p.handle = user_id.email),
                              (select u.id from auth.users u where u.email = user_id.email)),
                     format('auth user with email %s', email))
$$;

/** ### tests.station_id(restaurant uuid, slug text) */
create or replace function tests.station_id(restaurant uuid, slug text) returns uuid
language sql stable security definer set search_path = ''
as $$
  select tests.found((select s.id from public.stations s
                       where s.restaurant_id = station_id.restaurant and s.slug = station_id.slug),
                     format('station %s in restaurant %s', slug, restaurant))
$$;

/** ### tests.table_id(restaurant uuid, label text) */
create or replace function tests.table_id(restaurant uuid, label text) returns uuid
language sql stable security definer set search_path = ''
as $$
  select tests.found((select d.id from public.dining_tables d
                       where d.restaurant_id = table_id.restaurant and d.label = table_id.label),
                     format('table %s in restaurant %s', label, restaurant))
$$;

/** ### tests.menu_item_id(restaurant uuid, name text) */
create or replace function tests.menu_item_id(restaurant uuid, name text) returns uuid
language sql stable security definer set search_path = ''
as $$
  select tests.found((select m.id from public.menu_items m
                       where m.restaurant_id = menu_item_id.restaurant and m.name = menu_item_id.name),
                     format('menu item %s in restaurant %s', name, restaurant))
$$;

/**
 * ### tests.line(restaurant uuid, menu_item text, qty int default 1, extra jsonb default '{}')
 * One line of a place_order / add_items payload: {menu_item_id, qty} || extra (modifiers, course, hold, …).
 */
create or replace function tests.line(restaurant uuid, menu_item text, qty int default 1, extra jsonb default '{}')
returns jsonb
language sql stable
as $$ select jsonb_build_object('menu_item_id', tests.menu_item_id(restaurant, menu_item), 'qty', qty) || extra $$;

/**
 * ### tests.topic(kind text, restaurant uuid, scope uuid default null) → 'kind:restaurant[:scope]'
 */
create or replace function tests.topic(kind text, restaurant uuid, scope uuid default null) returns text
language sql immutable
as $$ select kind || ':' || restaurant::text || coalesce(':' || scope::text, '') $$;

/**
 * ### tests.topic_heads() → (topic, last_seq) for every topic that was ever published or pruned
 * Each topic at plater_private.topic_head: what a mark before a step compares against.
 */
create or replace function tests.topic_heads() returns table (topic text, last_seq bigint)
language sql stable security definer set search_path = ''
as $$
  select t.topic, plater_private.topic_head(t.topic)
    from (select distinct l.topic from plater_private.topic_log l
          union select r.topic from plater_private.topic_retention r) t
$$;

/**
 * ### tests.sqlstate_of(sql text) → the SQLSTATE the statement raises, or NULL when it succeeds.
 * The statement runs in a subtransaction that is rolled back either way, so it leaves nothing behind.
 */
create or replace function tests.sqlstate_of(sql text) returns text
language plpgsql
as $$
begin
  begin
    execute sql;
  exception when others then
    return sqlstate;
  end;
  -- succeeded: undo it, like the failing case
  raise exception using errcode = 'TSTOK';
exception when sqlstate 'TSTOK' then
  return null;
end;
$$;

/**
 * ### tests.error_detail(sql text) → jsonb {sqlstate, message, detail}; NULL when the statement succeeds.
 * For asserting on PT409's DETAIL (the current row as JSON) and other coded errors.
 */
create or replace function tests.error_detail(sql text) returns jsonb
language plpgsql
as $$
declare
  state text;
  msg text;
  det text;
begin
  execute sql;
  return null;
exception when others then
  get stacked diagnostics state = returned_sqlstate, msg = message_text, det = pg_exception_detail;
  return jsonb_build_object('sqlstate', state, 'message', msg,
                            'detail', case when det ~ '^\s*[\[{]' then det::jsonb else to_jsonb(nullif(det, '')) end);
end;
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
