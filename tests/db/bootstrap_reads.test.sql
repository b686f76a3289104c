-- Bootstrap reads (public.staff_session, public.staff_menu): who sees what, for every role, and the denials
-- (anon, a user without a staff row, inactive staff, another restaurant's data).
begin;
\ir helpers/act_as.sql

select plan(34);

-- Scopes as "scope[:slug|:self]" strings, in the order the session lists them.
create function tests.scopes(session jsonb) returns text[]
language sql stable security definer
as $$
  select coalesce(array_agg(
           s ->> 'scope' || coalesce(':' || (select st.slug from public.stations st where st.id::text = s ->> 'station_id'), '')
                         || case when s ? 'staff_id' then
                              case when s ->> 'staff_id' = session ->> 'user_id' then ':self' else ':other' end
                            else '' end
           order by n), '{}')
    from jsonb_array_elements(session -> 'scopes') with ordinality as x(s, n)
$$;

-- Every listed topic is one the caller may join (the same predicate as the socket), and matches its scope.
create function tests.scopes_are_joinable(session jsonb) returns boolean
language sql stable
as $$
  select bool_and(plater_private.can_read_topic(s ->> 'topic')
                  and split_part(s ->> 'topic', ':', 1) = s ->> 'scope'
                  and split_part(s ->> 'topic', ':', 2) = session #>> '{restaurant,id}'
                  and coalesce(split_part(s ->> 'topic', ':', 3) = coalesce(s ->> 'station_id', s ->> 'staff_id'), true))
    from jsonb_array_elements(session -> 'scopes') s
$$;

-- ---- session, per role -------------------------------------------------------------------------------------
select tests.act_as('cook.grill@bistro.test');
select is(public.staff_session() -> 'user_id', to_jsonb(tests.user_id('cook.grill@bistro.test')), 'cook: user_id');
select is(public.staff_session() -> 'staff',
          jsonb_build_object('user_id', tests.user_id('cook.grill@bistro.test'), 'restaurant_id', tests.bistro(),
                             'role', 'cook', 'station_id', tests.station_id(tests.bistro(), 'grill'),
                             'display_name', 'Gus (grill)'),
          'cook: the staff row');
select is(public.staff_session() -> 'restaurant', jsonb_build_object('id', tests.bistro(), 'name', 'Demo Bistro'),
          'cook: the restaurant');
select is((select array_agg(s ->> 'slug') from jsonb_array_elements(public.staff_session() -> 'stations') s),
          array['bar', 'fry', 'grill', 'salad'], 'cook: the restaurant''s stations, by slug');
select is(tests.scopes(public.staff_session()), array['kds:grill', 'crew'], 'cook: own station''s kds and crew only');
select ok(tests.scopes_are_joinable(public.staff_session()), 'cook: every listed topic is joinable');

select tests.act_as('server.ana@bistro.test');
select is(tests.scopes(public.staff_session()), array['server:self', 'floor', 'crew'], 'server: own topic, floor, crew');
select ok(tests.scopes_are_joinable(public.staff_session()), 'server: every listed topic is joinable');
select is(public.staff_session() #>> '{staff,station_id}', null, 'server: no station');

select tests.act_as('expo@bistro.test');
select is(tests.scopes(public.staff_session()),
          array['kds:bar', 'kds:fry', 'kds:grill', 'kds:salad', 'expo', 'floor', 'crew'],
          'expo: every kds, expo, floor, crew');
select ok(tests.scopes_are_joinable(public.staff_session()), 'expo: every listed topic is joinable');

select tests.act_as('manager@bistro.test');
select is(tests.scopes(public.staff_session()),
          array['kds:bar', 'kds:fry', 'kds:grill', 'kds:salad', 'expo', 'server:self', 'floor', 'admin', 'crew'],
          'manager: everything, their own server topic among them');
select ok(tests.scopes_are_joinable(public.staff_session()), 'manager: every listed topic is joinable');

select tests.act_as('manager@diner.test');
select is(public.staff_session() #>> '{restaurant,id}', tests.diner()::text, 'another restaurant: their own');
select is((select array_agg(s ->> 'id') from jsonb_array_elements(public.staff_session() -> 'stations') s),
          array[tests.station_id(tests.diner(), 'bar')::text, tests.station_id(tests.diner(), 'grill')::text],
          'another restaurant: only its stations');
select ok(not exists (select 1 from jsonb_array_elements(public.staff_session() -> 'scopes') s
                       where s ->> 'topic' like '%' || tests.bistro()::text || '%'),
          'another restaurant: no topic of the bistro');

-- ---- menu ---------------------------------------------------------------------------------------------------
select tests.act_as('server.ana@bistro.test');
select is(public.staff_menu() ->> 'restaurant_id', tests.bistro()::text, 'menu: the caller''s restaurant');
select is(jsonb_array_length(public.staff_menu() -> 'items'),
          (select count(*)::int from public.menu_items where restaurant_id = tests.bistro()), 'menu: every item');
select is((select i from jsonb_array_elements(public.staff_menu() -> 'items') i
            where i ->> 'id' = tests.menu_item_id(tests.bistro(), 'Burger')::text),
          jsonb_build_object('id', tests.menu_item_id(tests.bistro(), 'Burger'), 'name', 'Burger',
                             'station_id', tests.station_id(tests.bistro(), 'grill'), 'active', true,
                             'price_cents', 1600),
          'menu: a server sees an item with its id and its price');
select tests.act_as('manager@bistro.test');
select ok((select bool_and(i ? 'price_cents') from jsonb_array_elements(public.staff_menu() -> 'items') i),
          'menu: a manager sees prices');
select tests.act_as('cook.grill@bistro.test');
select ok((select bool_and(not i ? 'price_cents') from jsonb_array_elements(public.staff_menu() -> 'items') i),
          'menu: a cook sees no prices');
select is(jsonb_array_length(public.staff_menu() -> 'items'),
          (select count(*)::int from public.menu_items where restaurant_id = tests.bistro()),
          'menu: a cook sees every station''s items (tickets name them)');
select tests.act_as('expo@bistro.test');
select ok((select bool_and(not i ? 'price_cents') from jsonb_array_elements(public.staff_menu() -> 'items') i),
          'menu: expo sees no prices');
select tests.act_as('manager@diner.test');
select ok((select bool_and((i ->> 'id')::uuid in (select m.id from public.menu_items m where m.restaurant_id = tests.diner()))
             from jsonb_array_elements(public.staff_menu() -> 'items') i)
          and jsonb_array_length(public.staff_menu() -> 'items') = 5,
          'menu: another restaurant sees only its own items');

-- A deactivated item is listed (old tickets name it) and says so.
select tests.reset_role();
update public.menu_items set active = false where id = tests.menu_item_id(tests.bistro(), 'Grilled Salmon');
select tests.act_as('server.ana@bistro.test');
select is((select i -> 'active' from jsonb_array_elements(public.staff_menu() -> 'items') i
            where i ->> 'id' = tests.menu_item_id(tests.bistro(), 'Grilled Salmon')::text), 'false'::jsonb,
          'menu: an inactive item is listed as inactive');

-- ---- denials ------------------------------------------------------------------------------------------------
select tests.act_as_anon();
select throws_ok('select public.staff_session()', '42501', null, 'anon may not read a session');
select throws_ok('select public.staff_menu()', '42501', null, 'anon may not read a menu');

select tests.reset_role();
select tests.create_user('nobody@bistro.test');
select tests.act_as('nobody@bistro.test');
select throws_ok('select public.staff_session()', 'PT401', null, 'a user without a staff row: PT401 (session)');
select throws_ok('select public.staff_menu()', 'PT401', null, 'a user without a staff row: PT401 (menu)');

select tests.reset_role();
update public.staff set active = false where user_id = tests.user_id('server.ben@bistro.test');
select tests.act_as('server.ben@bistro.test');
select throws_ok('select public.staff_session()', 'PT401', null, 'inactive staff: PT401 (session)');
select throws_ok('select public.staff_menu()', 'PT401', null, 'inactive staff: PT401 (menu)');

-- The reads run as the caller: RLS, not the function's owner, decides what they see.
select tests.reset_role();
select is((select prosecdef from pg_proc where oid = 'public.staff_session()'::regprocedure), false,
          'staff_session runs as the caller (SECURITY INVOKER)');
select is((select prosecdef from pg_proc where oid = 'public.staff_menu()'::regprocedure), false,
          'staff_menu runs as the caller (SECURITY INVOKER)');
select ok(not has_function_privilege('anon', 'plater_private.require_staff()', 'execute'),
          'anon may not call require_staff');

select * from finish();
rollback;
