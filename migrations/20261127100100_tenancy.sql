-- Restaurants and who works there. Roles live in `staff`, never in JWT claims, so a role change or a
-- revoked staff member takes effect on the next request without a new token.

create table public.restaurants (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

create table public.stations (
  id uuid primary key default gen_random_uuid(),
  restaurant_id uuid not null references public.restaurants (id) on delete cascade,
  slug text not null check (slug ~ '^[a-z0-9_-]{1,40}$'),
  name text not null,
  unique (restaurant_id, slug),
  -- lets child tables prove their station belongs to the same restaurant
  unique (restaurant_id, id)
);

create table public.staff (
  user_id uuid primary key references auth.users (id) on delete cascade,
  restaurant_id uuid not null references public.restaurants (id) on delete cascade,
  role public.staff_role not null,
  station_id uuid,
  display_name text not null,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  foreign key (restaurant_id, station_id) references public.stations (restaurant_id, id) on delete cascade,
  constraint cooks_have_a_station check ((role = 'cook') = (station_id is not null))
);
create index staff_restaurant_idx on public.staff (restaurant_id);

create table public.dining_tables (
  id uuid primary key default gen_random_uuid(),
  restaurant_id uuid not null references public.restaurants (id) on delete cascade,
  label text not null,
  seats int not null check (seats between 1 and 50),
  status public.table_status not null default 'free',
  server_id uuid references public.staff (user_id),
  party_size int check (party_size between 1 and 100),
  seated_at timestamptz,
  version int not null default 1,
  updated_at timestamptz not null default now(),
  unique (restaurant_id, label),
  unique (restaurant_id, id),
  constraint seated_tables_have_a_server check ((status = 'seated') = (server_id is not null))
);

create table public.menu_items (
  id uuid primary key default gen_random_uuid(),
  restaurant_id uuid not null references public.restaurants (id) on delete cascade,
  station_id uuid not null,
  name text not null,
  price_cents int not null check (price_cents >= 0),
  active boolean not null default true,
  unique (restaurant_id, id),
  foreign key (restaurant_id, station_id) references public.stations (restaurant_id, id) on delete cascade
);

create trigger dining_tables_bump_version before update on public.dining_tables
  for each row execute function plater_private.bump_version();
