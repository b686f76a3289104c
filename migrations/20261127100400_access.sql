-- Who the caller is, and row-level security for every table. Deny by default: API roles get SELECT on the
-- domain tables and nothing else; every write goes through the RPCs (SECURITY DEFINER, rights checked there).

-- The caller's active staff row. SECURITY DEFINER so policies on `staff` itself do not recurse.
-- These helpers run on every request, join probe and RLS check, so they are plpgsql: a SECURITY DEFINER SQL
-- function is never inlined and is planned again on each call, while plpgsql keeps its plans per session.
create function plater_private.current_staff()
returns public.staff
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me public.staff;
begin
  select s.* into me from public.staff s where s.user_id = auth.uid() and s.active;
  return me;
end;
$$;

create function plater_private.my_restaurant() returns uuid
language plpgsql stable security definer set search_path = ''
as $$ begin return (plater_private.current_staff()).restaurant_id; end; $$;

create function plater_private.my_role() returns public.staff_role
language plpgsql stable security definer set search_path = ''
as $$ begin return (plater_private.current_staff()).role; end; $$;

create function plater_private.my_station() returns uuid
language plpgsql stable security definer set search_path = ''
as $$ begin return (plater_private.current_staff()).station_id; end; $$;

revoke all on function plater_private.current_staff() from public;
grant execute on function plater_private.my_restaurant(), plater_private.my_role(), plater_private.my_station()
  to authenticated;

-- Least privilege: Supabase's default privileges grant ALL on new public tables to anon and authenticated.
revoke all on public.restaurants, public.stations, public.staff, public.dining_tables, public.menu_items,
  public.orders, public.order_items, public.status_history from anon, authenticated;
grant select on public.restaurants, public.stations, public.staff, public.dining_tables, public.menu_items,
  public.orders, public.order_items, public.status_history to authenticated;

alter table public.restaurants enable row level security;
alter table public.stations enable row level security;
alter table public.staff enable row level security;
alter table public.dining_tables enable row level security;
alter table public.menu_items enable row level security;
alter table public.orders enable row level security;
alter table public.order_items enable row level security;
alter table public.status_history enable row level security;

-- `(select f())` makes Postgres evaluate the helper once per query, not once per row.
create policy "staff read their restaurant" on public.restaurants for select to authenticated
  using (id = (select plater_private.my_restaurant()));

create policy "staff read their restaurant's stations" on public.stations for select to authenticated
  using (restaurant_id = (select plater_private.my_restaurant()));

create policy "staff read their own row" on public.staff for select to authenticated
  using (user_id = (select auth.uid()) and active);
create policy "managers read their restaurant's staff" on public.staff for select to authenticated
  using (restaurant_id = (select plater_private.my_restaurant())
         and (select plater_private.my_role()) = 'manager');

create policy "floor staff read their restaurant's tables" on public.dining_tables for select to authenticated
  using (restaurant_id = (select plater_private.my_restaurant())
         and (select plater_private.my_role()) in ('server', 'expo', 'manager'));

create policy "staff read their restaurant's menu" on public.menu_items for select to authenticated
  using (restaurant_id = (select plater_private.my_restaurant()));

create policy "servers read their own orders" on public.orders for select to authenticated
  using (server_id = (select auth.uid())
         and restaurant_id = (select plater_private.my_restaurant())
         and (select plater_private.my_role()) = 'server');
create policy "expo and managers read their restaurant's orders" on public.orders for select to authenticated
  using (restaurant_id = (select plater_private.my_restaurant())
         and (select plater_private.my_role()) in ('expo', 'manager'));

create policy "cooks read their station's items" on public.order_items for select to authenticated
  using (station_id = (select plater_private.my_station())
         and restaurant_id = (select plater_private.my_restaurant())
         and (select plater_private.my_role()) = 'cook');
create policy "servers read the items of their own orders" on public.order_items for select to authenticated
  using ((select plater_private.my_role()) = 'server'
         and exists (select 1 from public.orders o
                      where o.id = order_id and o.server_id = (select auth.uid())));
create policy "expo and managers read their restaurant's items" on public.order_items for select to authenticated
  using (restaurant_id = (select plater_private.my_restaurant())
         and (select plater_private.my_role()) in ('expo', 'manager'));

create policy "managers read their restaurant's history" on public.status_history for select to authenticated
  using (restaurant_id = (select plater_private.my_restaurant())
         and (select plater_private.my_role()) = 'manager');
