-- Orders, their items (each routed to one station) and the append-only status history.
--
-- Rush (Square's "prioritise ticket", Toast's expo priority): expo or a manager marks an order rush
-- (public.set_rush), and every screen that shows it sorts it first. `rush` is on the order and, copied, on its
-- live items, because the kitchen's screens receive items, not orders: setting it updates the items (their
-- versions move), so the ordinary item events carry the flag to every station that has part of the order.
-- Served and void items are final and keep the flag they had; items added later inherit it (insert_items).

create table public.orders (
  id uuid primary key default gen_random_uuid(),
  restaurant_id uuid not null references public.restaurants (id) on delete cascade,
  table_id uuid not null,
  server_id uuid not null references public.staff (user_id),
  status public.order_status not null default 'open',
  note text,
  version int not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  rush boolean not null default false,
  -- The party the order was placed for (the table's party_size then, set by place_order): kept on the order so
  -- its tickets still say it after the table is cleared or seated again, and so a payload needs no table lookup.
  guests int check (guests between 1 and 100),
  foreign key (restaurant_id, table_id) references public.dining_tables (restaurant_id, id) on delete cascade,
  unique (restaurant_id, id)
);
create index orders_restaurant_status_idx on public.orders (restaurant_id, status);
create index orders_server_idx on public.orders (server_id) where status not in ('closed', 'cancelled');
create index orders_table_idx on public.orders (table_id) where status not in ('closed', 'cancelled');

create table public.order_items (
  id uuid primary key default gen_random_uuid(),
  restaurant_id uuid not null,
  order_id uuid not null,
  station_id uuid not null,
  menu_item_id uuid not null,
  name text not null,
  qty int not null check (qty between 1 and 99),
  modifiers text[] not null default '{}',
  notes text check (length(notes) <= 500),
  allergens text[] not null default '{}',
  course int not null default 1 check (course between 1 and 9),
  status public.item_status not null,
  fired_at timestamptz,
  started_at timestamptz,
  ready_at timestamptz,
  void_reason text,
  version int not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  rush boolean not null default false,
  foreign key (restaurant_id, order_id) references public.orders (restaurant_id, id) on delete cascade,
  foreign key (restaurant_id, station_id) references public.stations (restaurant_id, id) on delete cascade,
  foreign key (restaurant_id, menu_item_id) references public.menu_items (restaurant_id, id) on delete cascade,
  constraint held_items_are_not_fired
    check (case status when 'held' then fired_at is null when 'void' then true else fired_at is not null end)
);
create index order_items_order_idx on public.order_items (order_id);
create index order_items_station_open_idx on public.order_items (station_id)
  where status in ('pending', 'preparing', 'ready');

create table public.status_history (
  id bigint generated always as identity primary key,
  restaurant_id uuid not null references public.restaurants (id) on delete cascade,
  entity text not null check (entity in ('order', 'item', 'table')),
  entity_id uuid not null,
  from_status text,
  to_status text not null,
  actor uuid,
  at timestamptz not null default now()
);
create index status_history_entity_idx on public.status_history (entity_id, id);

create trigger orders_bump_version before update on public.orders
  for each row execute function plater_private.bump_version();
create trigger order_items_bump_version before update on public.order_items
  for each row execute function plater_private.bump_version();

-- History is append-only: the log of what happened may not be rewritten. Rows leave only with their
-- restaurant (a cascaded delete runs inside the foreign key's own trigger, hence depth > 1).
create function plater_private.reject_history_rewrite()
returns trigger
language plpgsql
as $$
begin
  if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
    return old;
  end if;
  perform plater_private.fail('PT403', 'status_history is append-only');
  return null;
end;
$$;
create trigger status_history_append_only before update or delete on public.status_history
  for each row execute function plater_private.reject_history_rewrite();
