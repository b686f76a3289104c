-- Development seed (never for production): two restaurants so cross-tenant leaks are testable.
-- Every account's password is `plater-demo`. IDs are fixed so tests and docs can name them.

insert into auth.users (id, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
values
  ('00000000-0000-4000-8000-00000000b101', 'manager@bistro.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Maya (manager)"}'),
  ('00000000-0000-4000-8000-00000000b102', 'expo@bistro.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Eli (expo)"}'),
  ('00000000-0000-4000-8000-00000000b103', 'cook.grill@bistro.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Gus (grill)"}'),
  ('00000000-0000-4000-8000-00000000b104', 'cook.fry@bistro.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Fay (fry)"}'),
  ('00000000-0000-4000-8000-00000000b105', 'server.ana@bistro.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Ana"}'),
  ('00000000-0000-4000-8000-00000000b106', 'server.ben@bistro.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Ben"}'),
  ('00000000-0000-4000-8000-00000000d101', 'manager@diner.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Dora (manager)"}'),
  ('00000000-0000-4000-8000-00000000d102', 'cook.grill@diner.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Gil (grill)"}'),
  ('00000000-0000-4000-8000-00000000d103', 'server.cy@diner.test', extensions.crypt('plater-demo', extensions.gen_salt('bf', 10)), now(),
   '{"provider":"email","providers":["email"]}', '{"display_name":"Cy"}')
on conflict (id) do nothing;

insert into public.restaurants (id, name) values
  ('00000000-0000-4000-8000-00000000b001', 'Demo Bistro'),
  ('00000000-0000-4000-8000-00000000d001', 'Other Diner')
on conflict (id) do nothing;

insert into public.stations (id, restaurant_id, slug, name) values
  ('00000000-0000-4000-8000-00000000b0a1', '00000000-0000-4000-8000-00000000b001', 'grill', 'Grill'),
  ('00000000-0000-4000-8000-00000000b0a2', '00000000-0000-4000-8000-00000000b001', 'fry', 'Fry'),
  ('00000000-0000-4000-8000-00000000b0a3', '00000000-0000-4000-8000-00000000b001', 'salad', 'Salad'),
  ('00000000-0000-4000-8000-00000000b0a4', '00000000-0000-4000-8000-00000000b001', 'bar', 'Bar'),
  ('00000000-0000-4000-8000-00000000d0a1', '00000000-0000-4000-8000-00000000d001', 'grill', 'Grill'),
  ('00000000-0000-4000-8000-00000000d0a2', '00000000-0000-4000-8000-00000000d001', 'bar', 'Bar')
on conflict (id) do nothing;

insert into public.staff (user_id, restaurant_id, role, station_id, display_name) values
  ('00000000-0000-4000-8000-00000000b101', '00000000-0000-4000-8000-00000000b001', 'manager', null, 'Maya (manager)'),
  ('00000000-0000-4000-8000-00000000b102', '00000000-0000-4000-8000-00000000b001', 'expo', null, 'Eli (expo)'),
  ('00000000-0000-4000-8000-00000000b103', '00000000-0000-4000-8000-00000000b001', 'cook', '00000000-0000-4000-8000-00000000b0a1', 'Gus (grill)'),
  ('00000000-0000-4000-8000-00000000b104', '00000000-0000-4000-8000-00000000b001', 'cook', '00000000-0000-4000-8000-00000000b0a2', 'Fay (fry)'),
  ('00000000-0000-4000-8000-00000000b105', '00000000-0000-4000-8000-00000000b001', 'server', null, 'Ana'),
  ('00000000-0000-4000-8000-00000000b106', '00000000-0000-4000-8000-00000000b001', 'server', null, 'Ben'),
  ('00000000-0000-4000-8000-00000000d101', '00000000-0000-4000-8000-00000000d001', 'manager', null, 'Dora (manager)'),
  ('00000000-0000-4000-8000-00000000d102', '00000000-0000-4000-8000-00000000d001', 'cook', '00000000-0000-4000-8000-00000000d0a1', 'Gil (grill)'),
  ('00000000-0000-4000-8000-00000000d103', '00000000-0000-4000-8000-00000000d001', 'server', null, 'Cy')
on conflict (user_id) do nothing;

insert into public.dining_tables (restaurant_id, label, seats)
select '00000000-0000-4000-8000-00000000b001', 'T' || n, case when n % 3 = 0 then 6 when n % 2 = 0 then 4 else 2 end
  from generate_series(1, 12) n
on conflict (restaurant_id, label) do nothing;
insert into public.dining_tables (restaurant_id, label, seats)
select '00000000-0000-4000-8000-00000000d001', 'D' || n, 4 from generate_series(1, 6) n
on conflict (restaurant_id, label) do nothing;

insert into public.menu_items (restaurant_id, station_id, name, price_cents)
select v.restaurant_id::uuid, v.station_id::uuid, v.name, v.price_cents
  from (values
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a1', 'Ribeye 300g', 3400),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a1', 'Burger', 1600),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a1', 'Grilled Salmon', 2400),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a1', 'Chicken Skewers', 1500),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a1', 'Lamb Chops', 2900),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a1', 'Halloumi Steak', 1400),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a2', 'Fries', 500),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a2', 'Calamari', 1200),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a2', 'Fish and Chips', 1900),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a2', 'Onion Rings', 600),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a2', 'Chicken Wings', 1300),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a3', 'Caesar Salad', 1100),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a3', 'Greek Salad', 1050),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a3', 'Burrata', 1350),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a3', 'Beet Carpaccio', 1150),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a3', 'Soup of the Day', 800),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a4', 'House Lemonade', 450),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a4', 'Espresso', 300),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a4', 'Negroni', 1200),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a4', 'IPA Draft', 750),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a4', 'Red Wine Glass', 900),
    ('00000000-0000-4000-8000-00000000b001', '00000000-0000-4000-8000-00000000b0a4', 'Sparkling Water', 350),
    ('00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000d0a1', 'Diner Burger', 1300),
    ('00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000d0a1', 'Pancakes', 900),
    ('00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000d0a1', 'Club Sandwich', 1100),
    ('00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000d0a2', 'Milkshake', 600),
    ('00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000d0a2', 'Coffee', 250)
  ) as v (restaurant_id, station_id, name, price_cents)
 where not exists (select 1 from public.menu_items m where m.restaurant_id = v.restaurant_id::uuid and m.name = v.name);
