-- The fixtures every pgTAP file tests against: its own copies of the two seeded restaurants (supabase/seed.sql),
-- built inside the file's transaction, with fresh ids. A database that has served (`plater simulate`, a real
-- service: seated tables, open orders, moved sequences) therefore gives the same results as a fresh one, and the
-- file's rollback removes the copies again. Included by act_as.sql.
--
--   tests.bistro() / tests.diner()  the copies of Demo Bistro and Other Diner: same names, stations, tables, menu
--   tests.people                    each copy's staff, by the seed email they stand in for ('server.ana@bistro.test'
--                                   is the copy's Ana; her own auth email is on a domain of this run's)
--   tests.create_user(email)        one more auth user, without a staff row, known by `email` the same way

create table tests.fixture_restaurants (name text primary key, id uuid not null);
create table tests.people (handle text primary key, user_id uuid not null);

/** ### tests.bistro() / tests.diner() — this file's copies of the seeded restaurants. */
create or replace function tests.bistro() returns uuid
language sql stable security definer set search_path = ''
as $$ select id from tests.fixture_restaurants where name = 'bistro' $$;
create or replace function tests.diner() returns uuid
language sql stable security definer set search_path = ''
as $$ select id from tests.fixture_restaurants where name = 'diner' $$;

/**
 * ### tests.create_user(email text) → uuid
 * A new auth user with no staff row (add one yourself for staff fixtures), known to tests.user_id(email) by
 * `email`; its own address is unique to this run, so no user of the database can collide with it.
 */
create or replace function tests.create_user(email text) returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  uid uuid := gen_random_uuid();
begin
  insert into auth.users (id, email)
  values (uid, split_part(email, '@', 1) || '@' || left(uid::text, 8) || '.' || split_part(email, '@', 2));
  insert into tests.people (handle, user_id) values (email, uid);
  return uid;
end;
$$;

do $$
declare
  bistro uuid := gen_random_uuid();
  diner uuid := gen_random_uuid();
begin
  insert into tests.fixture_restaurants values ('bistro', bistro), ('diner', diner);
  insert into public.restaurants (id, name) values (bistro, 'Demo Bistro'), (diner, 'Other Diner');

  insert into public.stations (restaurant_id, slug, name)
  values (bistro, 'grill', 'Grill'), (bistro, 'fry', 'Fry'), (bistro, 'salad', 'Salad'), (bistro, 'bar', 'Bar'),
         (diner, 'grill', 'Grill'), (diner, 'bar', 'Bar');

  insert into public.staff (user_id, restaurant_id, role, station_id, display_name)
  select tests.create_user(v.email), v.restaurant, v.role::public.staff_role,
         (select s.id from public.stations s where s.restaurant_id = v.restaurant and s.slug = v.station), v.display_name
    from (values
      ('manager@bistro.test', bistro, 'manager', null, 'Maya (manager)'),
      ('expo@bistro.test', bistro, 'expo', null, 'Eli (expo)'),
      ('cook.grill@bistro.test', bistro, 'cook', 'grill', 'Gus (grill)'),
      ('cook.fry@bistro.test', bistro, 'cook', 'fry', 'Fay (fry)'),
      ('server.ana@bistro.test', bistro, 'server', null, 'Ana'),
      ('server.ben@bistro.test', bistro, 'server', null, 'Ben'),
      ('manager@diner.test', diner, 'manager', null, 'Dora (manager)'),
      ('cook.grill@diner.test', diner, 'cook', 'grill', 'Gil (grill)'),
      ('server.cy@diner.test', diner, 'server', null, 'Cy')
    ) as v (email, restaurant, role, station, display_name);

  insert into public.dining_tables (restaurant_id, label, seats)
  select bistro, 'T' || n, (array[2, 4, 6, 4, 2, 6, 2, 4, 6, 4, 2, 6])[n] from generate_series(1, 12) n
  union all
  select diner, 'D' || n, 4 from generate_series(1, 6) n;

  insert into public.menu_items (restaurant_id, station_id, name, price_cents)
  select v.restaurant, (select s.id from public.stations s where s.restaurant_id = v.restaurant and s.slug = v.station),
         v.name, v.price_cents
    from (values
      (bistro, 'grill', 'Ribeye 300g', 3400), (bistro, 'grill', 'Burger', 1600), (bistro, 'grill', 'Grilled Salmon', 2400),
      (bistro, 'grill', 'Chicken Skewers', 1500), (bistro, 'grill', 'Lamb Chops', 2900), (bistro, 'grill', 'Halloumi Steak', 1400),
      (bistro, 'fry', 'Fries', 500), (bistro, 'fry', 'Calamari', 1200), (bistro, 'fry', 'Fish and Chips', 1900),
      (bistro, 'fry', 'Onion Rings', 600), (bistro, 'fry', 'Chicken Wings', 1300),
      (bistro, 'salad', 'Caesar Salad', 1100), (bistro, 'salad', 'Greek Salad', 1050), (bistro, 'salad', 'Burrata', 1350),
      (bistro, 'salad', 'Beet Carpaccio', 1150), (bistro, 'salad', 'Soup of the Day', 800),
      (bistro, 'bar', 'House Lemonade', 450), (bistro, 'bar', 'Espresso', 300), (bistro, 'bar', 'Negroni', 1200),
      (bistro, 'bar', 'IPA Draft', 750), (bistro, 'bar', 'Red Wine Glass', 900), (bistro, 'bar', 'Sparkling Water', 350),
      (diner, 'grill', 'Diner Burger', 1300), (diner, 'grill', 'Pancakes', 900), (diner, 'grill', 'Club Sandwich', 1100),
      (diner, 'bar', 'Milkshake', 600), (diner, 'bar', 'Coffee', 250)
    ) as v (restaurant, station, name, price_cents);
end;
$$;
