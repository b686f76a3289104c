-- The write API. Each RPC runs in the caller's transaction (so it is all-or-nothing), resolves the caller's
-- staff row, checks the role's right, takes the restaurant lock before any row lock, checks the expected
-- version when one is given (null means "unconditional"), and lets the status-machine triggers reject
-- illegal moves. Every function returns the rows it changed as JSON.
--
-- Plans: every RPC runs with plan_cache_mode = force_generic_plan, which applies to everything it calls,
-- triggers included. PL/pgSQL plans a statement with parameters afresh for its first five runs and then whenever a
-- custom plan looks cheaper — as it does for statements over a parameter array (unnest, = any) — yet every
-- statement on this path is a key lookup or a set-wise write whose best plan does not depend on the values, so
-- re-planning is pure cost (docs/decisions.md, 2026-11-30). Small helpers are
-- PL/pgSQL rather than SQL where Postgres could not inline the SQL (SECURITY DEFINER, a SET clause, a sub-select),
-- so their plan is cached per session instead of rebuilt on each call.

-- Resolve the caller and their right to act in this restaurant; lock the restaurant for the rest of the
-- transaction. A row in another restaurant answers "not found", as RLS would.
create function plater_private.authorize(restaurant uuid, allowed public.staff_role[], action text)
returns public.staff
language plpgsql
security definer
set search_path = ''
as $$
declare
  me public.staff := plater_private.current_staff();
begin
  if me.user_id is null then
    perform plater_private.fail('PT401', 'no active staff member for this user');
  end if;
  if restaurant is null or me.restaurant_id <> restaurant then
    perform plater_private.fail('PT404', 'not found');
  end if;
  if not me.role = any (allowed) then
    perform plater_private.fail('PT403', format('a %s may not %s', me.role, action));
  end if;
  perform plater_private.lock_restaurant(restaurant);
  return me;
end;
$$;

create function plater_private.expect_version(entity text, current_row jsonb, expected int)
returns void
language plpgsql
as $$
begin
  if expected is not null and (current_row ->> 'version')::int <> expected then
    perform plater_private.fail('PT409',
      format('%s %s is at version %s, not %s', entity, current_row ->> 'id', current_row ->> 'version', expected),
      jsonb_build_object('entity', entity, 'current', current_row));
  end if;
end;
$$;

create function plater_private.restaurant_of(entity text, id uuid) returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  -- a statement per entity: one CASE over three sub-selects started all three index scans on every call
  if entity = 'order' then
    return (select o.restaurant_id from public.orders o where o.id = restaurant_of.id);
  elsif entity = 'item' then
    return (select i.restaurant_id from public.order_items i where i.id = restaurant_of.id);
  elsif entity = 'table' then
    return (select t.restaurant_id from public.dining_tables t where t.id = restaurant_of.id);
  end if;
  return null;
end;
$$;

-- Servers act on their own orders and tables; everyone else the role allows acts on any in the restaurant.
create function plater_private.require_owner(me public.staff, owner uuid, what text) returns void
language plpgsql
as $$
begin
  if me.role = 'server' and owner is distinct from me.user_id then
    perform plater_private.fail('PT403', format('a server may only change their own %s', what));
  end if;
end;
$$;

create function plater_private.require_station(me public.staff, station uuid) returns void
language plpgsql
as $$
begin
  if me.role = 'cook' and station is distinct from me.station_id then
    perform plater_private.fail('PT403', 'a cook may only work their own station');
  end if;
end;
$$;

-- Lock and return a row once the caller has been authorised for its restaurant. Ownership is checked before
-- the version, so a stale version never hands back (in PT409's DETAIL) a row the caller may not see.
create function plater_private.order_for_update(me public.staff, order_id uuid, expected int) returns public.orders
language plpgsql security definer set search_path = ''
as $$
declare
  o public.orders;
begin
  select * into o from public.orders where id = order_id for update;
  if o.id is null then
    perform plater_private.fail('PT404', 'order not found');
  end if;
  perform plater_private.require_owner(me, o.server_id, 'orders');
  perform plater_private.expect_version('order', to_jsonb(o), expected);
  return o;
end;
$$;

create function plater_private.item_for_update(me public.staff, item_id uuid, expected int) returns public.order_items
language plpgsql security definer set search_path = ''
as $$
declare
  i public.order_items;
begin
  select * into i from public.order_items where id = item_id for update;
  if i.id is null then
    perform plater_private.fail('PT404', 'item not found');
  end if;
  perform plater_private.require_station(me, i.station_id);
  perform plater_private.require_owner(me, (select o.server_id from public.orders o where o.id = i.order_id), 'orders');
  perform plater_private.expect_version('item', to_jsonb(i), expected);
  return i;
end;
$$;

-- Tables are visible to the whole floor, so their version check may come before the ownership check.
create function plater_private.table_for_update(table_id uuid, expected int) returns public.dining_tables
language plpgsql security definer set search_path = ''
as $$
declare
  t public.dining_tables;
begin
  select * into t from public.dining_tables where id = table_id for update;
  if t.id is null then
    perform plater_private.fail('PT404', 'table not found');
  end if;
  perform plater_private.expect_version('table', to_jsonb(t), expected);
  return t;
end;
$$;

-- A request the row's status rules out: PT422 with the row and the status it is in.
create function plater_private.refuse_state(entity text, id uuid, status anyelement, message text) returns void
language plpgsql
as $$
begin
  perform plater_private.fail('PT422', message, jsonb_build_object('entity', entity, 'id', id, 'status', status));
end;
$$;

-- Modifiers and allergens arrive as JSON lists of strings (absent = none).
create function plater_private.is_text_list(value jsonb) returns boolean
language plpgsql immutable
as $$
begin
  return value is null or value = 'null'::jsonb or (jsonb_typeof(value) = 'array'
    and not exists (select 1 from jsonb_array_elements(value) e where jsonb_typeof(e) <> 'string'));
end;
$$;

create function plater_private.is_int_between(value jsonb, low int, high int) returns boolean
language sql immutable
as $$
  select coalesce(jsonb_typeof(value) = 'number' and value::text ~ '^-?[0-9]{1,9}$'
                  and value::text::int between low and high, false)
$$;

create function plater_private.text_array(value jsonb) returns text[]
language plpgsql immutable
as $$
begin
  return coalesce(array(select jsonb_array_elements_text(coalesce(value, '[]'))), '{}');
end;
$$;

-- items: [{menu_item_id, qty, modifiers?, notes?, allergens?, course?, hold?}] — validated whole before any
-- row is written, so a bad line rejects the request instead of half-placing it.
create function plater_private.insert_items(o public.orders, items jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  bad jsonb;
  inserted jsonb;
begin
  if jsonb_typeof(items) is distinct from 'array' or jsonb_array_length(items) = 0 then
    perform plater_private.fail('PT400', 'items must be a non-empty array');
  end if;
  select jsonb_agg(x.ord - 1) into bad
    from jsonb_array_elements(items) with ordinality as x(line, ord)
    left join public.menu_items m
      on m.id::text = x.line ->> 'menu_item_id' and m.restaurant_id = o.restaurant_id and m.active
   where m.id is null
      or not plater_private.is_int_between(x.line -> 'qty', 1, 99)
      or not (coalesce(x.line -> 'course', 'null') = 'null' or plater_private.is_int_between(x.line -> 'course', 1, 9))
      or coalesce(jsonb_typeof(x.line -> 'hold'), 'null') not in ('boolean', 'null')
      or not plater_private.is_text_list(x.line -> 'modifiers')
      or not plater_private.is_text_list(x.line -> 'allergens')
      or length(x.line ->> 'notes') > 500;
  if bad is not null then
    perform plater_private.fail('PT400', 'invalid items: each needs a known menu_item_id and an integer qty 1..99; course is an integer 1..9, hold a boolean, notes at most 500 characters, modifiers and allergens lists of strings',
      jsonb_build_object('lines', bad));
  end if;

  with added as (
    insert into public.order_items (restaurant_id, order_id, station_id, menu_item_id, name, qty, modifiers,
                                    notes, allergens, course, status, fired_at, rush)
    select o.restaurant_id, o.id, m.station_id, m.id, m.name, x.qty,
           plater_private.text_array(x.modifiers), x.notes, plater_private.text_array(x.allergens),
           coalesce(x.course, 1),
           case when coalesce(x.hold, false) then 'held' else 'pending' end::public.item_status,
           case when coalesce(x.hold, false) then null else now() end,
           o.rush
      from rows from (jsonb_to_recordset(items)
             as (menu_item_id uuid, qty int, modifiers jsonb, notes text, allergens jsonb, course int,
                 hold boolean)) with ordinality
           as x (menu_item_id, qty, modifiers, notes, allergens, course, hold, ord)
      join public.menu_items m on m.id = x.menu_item_id
     order by x.ord
    returning *
  )
  select jsonb_agg(to_jsonb(added) order by added.created_at, added.id) into inserted from added;
  return inserted;
end;
$$;

create function public.place_order(table_id uuid, items jsonb, note text default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  t public.dining_tables;
  me public.staff;
  o public.orders;
  added jsonb;
begin
  me := plater_private.authorize(plater_private.restaurant_of('table', table_id), '{server,manager}', 'place orders');
  t := plater_private.table_for_update(table_id, null);
  if t.status <> 'seated' then
    perform plater_private.refuse_state('table', t.id, t.status, format('table %s is not seated', t.label));
  end if;
  perform plater_private.require_owner(me, t.server_id, 'tables');
  insert into public.orders (restaurant_id, table_id, server_id, note, guests)
  values (t.restaurant_id, t.id, t.server_id, place_order.note, t.party_size)
  returning * into o;
  added := plater_private.insert_items(o, items);
  select * into o from public.orders where id = o.id;
  return jsonb_build_object('order', to_jsonb(o), 'items', added);
end;
$$;

create function public.add_items(order_id uuid, items jsonb, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  o public.orders;
  added jsonb;
begin
  me := plater_private.authorize(plater_private.restaurant_of('order', order_id), '{server,manager}', 'add items');
  o := plater_private.order_for_update(me, order_id, expected_version);
  if o.status in ('closed', 'cancelled') then
    perform plater_private.refuse_state('order', o.id, o.status, format('cannot add items to a %s order', o.status));
  end if;
  -- the order row changes too, so a client holding the old version learns the order grew
  update public.orders set updated_at = now() where id = o.id;
  added := plater_private.insert_items(o, items);
  select * into o from public.orders where id = o.id;
  return jsonb_build_object('order', to_jsonb(o), 'items', added);
end;
$$;

-- Fire (held → pending) or hold (pending → held) one course of an order.
create function plater_private.set_course(order_id uuid, course int, fire boolean, expected_version int)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  me public.staff;
  o public.orders;
  changed jsonb;
begin
  me := plater_private.authorize(plater_private.restaurant_of('order', order_id), '{server,expo,manager}',
                                 case when fire then 'fire courses' else 'hold courses' end);
  o := plater_private.order_for_update(me, order_id, expected_version);
  with moved as (
    update public.order_items i
       set status = case when fire then 'pending' else 'held' end::public.item_status,
           fired_at = case when fire then now() end
     where i.order_id = o.id and i.course = set_course.course
       and i.status = case when fire then 'held' else 'pending' end::public.item_status
    returning i.*
  )
  select jsonb_agg(to_jsonb(moved)) into changed from moved;
  if changed is null then
    perform plater_private.fail('PT422', format('course %s has no %s items', course,
      case when fire then 'held' else 'unstarted' end),
      jsonb_build_object('entity', 'order', 'id', o.id, 'course', course));
  end if;
  return jsonb_build_object('items', changed);
end;
$$;

create function public.fire_course(order_id uuid, course int, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$ begin return plater_private.set_course(order_id, course, true, expected_version); end; $$;

create function public.hold_course(order_id uuid, course int, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$ begin return plater_private.set_course(order_id, course, false, expected_version); end; $$;

-- One item's kitchen move: start (→ preparing), finish (→ ready), recall (ready → preparing).
create function plater_private.move_item(item_id uuid, target public.item_status, expected_version int,
                                         allowed public.staff_role[], action text)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  me public.staff;
  i public.order_items;
begin
  me := plater_private.authorize(plater_private.restaurant_of('item', item_id), allowed, action);
  i := plater_private.item_for_update(me, item_id, expected_version);
  if i.status = target then
    -- a second tap on another screen: say so instead of re-stamping the times and re-publishing
    perform plater_private.refuse_state('item', i.id, i.status, format('item is already %s', target));
  end if;
  update public.order_items
     set status = target,
         started_at = case when target = 'preparing' then coalesce(started_at, now()) else started_at end,
         ready_at = case when target = 'ready' then now() end
   where id = i.id
  returning * into i;
  return to_jsonb(i);
end;
$$;

create function public.start_item(item_id uuid, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return plater_private.move_item(item_id, 'preparing', expected_version, '{cook,expo,manager}', 'start items');
end;
$$;

create function public.finish_item(item_id uuid, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return plater_private.move_item(item_id, 'ready', expected_version, '{cook,expo,manager}', 'finish items');
end;
$$;

create function public.recall_item(item_id uuid, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  i public.order_items;
begin
  me := plater_private.authorize(plater_private.restaurant_of('item', item_id), '{cook,expo,manager}', 'recall items');
  i := plater_private.item_for_update(me, item_id, expected_version);
  if i.status <> 'ready' then
    -- recall means "back from the pass"; anything else is not a recall even where the move would be legal
    perform plater_private.refuse_state('item', item_id, i.status, 'only a ready item can be recalled');
  end if;
  return plater_private.move_item(item_id, 'preparing', expected_version, '{cook,expo,manager}', 'recall items');
end;
$$;

-- Bump a station's ticket: every fired, unfinished item of the order at that station is ready.
create function public.bump_ticket(order_id uuid, station_id uuid)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  o public.orders;
  bumped jsonb;
begin
  me := plater_private.authorize(plater_private.restaurant_of('order', order_id), '{cook,expo,manager}', 'bump tickets');
  perform plater_private.require_station(me, station_id);
  o := plater_private.order_for_update(me, order_id, null);
  with moved as (
    update public.order_items i set status = 'ready', ready_at = now()
     where i.order_id = o.id and i.station_id = bump_ticket.station_id and i.status in ('pending', 'preparing')
    returning i.*
  )
  select jsonb_agg(to_jsonb(moved)) into bumped from moved;
  if bumped is null then
    perform plater_private.fail('PT422', 'this ticket has nothing left to bump',
      jsonb_build_object('entity', 'order', 'id', o.id, 'station_id', station_id));
  end if;
  return jsonb_build_object('items', bumped);
end;
$$;

create function public.void_item(item_id uuid, reason text, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  i public.order_items;
begin
  me := plater_private.authorize(plater_private.restaurant_of('item', item_id), '{server,manager}', 'void items');
  i := plater_private.item_for_update(me, item_id, expected_version);
  -- once the kitchen has started an item, voiding it wastes food: that is a manager's call
  if me.role = 'server' and i.status not in ('held', 'pending') then
    perform plater_private.fail('PT403', 'only a manager may void an item the kitchen has started');
  end if;
  update public.order_items set status = 'void', void_reason = coalesce(reason, 'voided')
   where id = i.id returning * into i;
  return to_jsonb(i);
end;
$$;

create function public.cancel_order(order_id uuid, reason text, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  o public.orders;
begin
  me := plater_private.authorize(plater_private.restaurant_of('order', order_id), '{server,manager}', 'cancel orders');
  o := plater_private.order_for_update(me, order_id, expected_version);
  if me.role = 'server' and exists (
    select 1 from public.order_items where order_items.order_id = o.id and status in ('preparing', 'ready')
  ) then
    perform plater_private.fail('PT403', 'only a manager may cancel an order the kitchen has started');
  end if;
  update public.orders set status = 'cancelled' where id = o.id returning * into o;
  update public.order_items set status = 'void', void_reason = coalesce(reason, 'order cancelled')
   where order_items.order_id = o.id and status <> 'void';
  return to_jsonb(o);
end;
$$;

-- The server carries out everything that is ready.
create function public.mark_served(order_id uuid, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  o public.orders;
  served jsonb;
begin
  me := plater_private.authorize(plater_private.restaurant_of('order', order_id), '{server,expo,manager}', 'mark orders served');
  o := plater_private.order_for_update(me, order_id, expected_version);
  with moved as (
    update public.order_items set status = 'served'
     where order_items.order_id = o.id and status = 'ready'
    returning *
  )
  select jsonb_agg(to_jsonb(moved)) into served from moved;
  if served is null then
    perform plater_private.refuse_state('order', o.id, o.status, 'nothing on this order is ready to serve');
  end if;
  select * into o from public.orders where id = o.id;
  return jsonb_build_object('order', to_jsonb(o), 'items', served);
end;
$$;

create function public.seat_table(table_id uuid, party_size int, expected_version int default null,
                                  server_id uuid default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  t public.dining_tables;
  assignee uuid;
begin
  me := plater_private.authorize(plater_private.restaurant_of('table', table_id), '{server,manager}', 'seat tables');
  t := plater_private.table_for_update(table_id, expected_version);
  if t.status = 'seated' then
    perform plater_private.refuse_state('table', t.id, t.status, format('table %s is already seated', t.label));
  end if;
  assignee := case when me.role = 'server' then me.user_id else coalesce(seat_table.server_id, me.user_id) end;
  if seat_table.server_id is not null and seat_table.server_id <> assignee then
    perform plater_private.fail('PT403', 'a server may only seat tables for themselves');
  end if;
  if not exists (select 1 from public.staff s where s.user_id = assignee and s.restaurant_id = t.restaurant_id
                 and s.active and s.role in ('server', 'manager')) then
    perform plater_private.fail('PT400', 'server_id is not an active server of this restaurant');
  end if;
  if party_size is null or party_size not between 1 and 100 then
    perform plater_private.fail('PT400', 'party_size must be between 1 and 100');
  end if;
  update public.dining_tables
     set status = 'seated', server_id = assignee, party_size = seat_table.party_size, seated_at = now()
   where id = t.id returning * into t;
  return to_jsonb(t);
end;
$$;

-- Guests have left: close their served orders and free the table (refused while food is still open).
create function public.clear_table(table_id uuid, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  t public.dining_tables;
begin
  me := plater_private.authorize(plater_private.restaurant_of('table', table_id), '{server,manager}', 'clear tables');
  t := plater_private.table_for_update(table_id, expected_version);
  perform plater_private.require_owner(me, t.server_id, 'tables');
  update public.orders set status = 'closed' where orders.table_id = t.id and status = 'served';
  update public.dining_tables
     set status = 'free', server_id = null, party_size = null, seated_at = null
   where id = t.id returning * into t;
  return to_jsonb(t);
end;
$$;

-- {order, items}: the order and the items whose flag changed. Setting what is already set changes and
-- publishes nothing (a double tap, a retried undo). Only open or ready orders: a served, closed or cancelled
-- order has nothing left to hurry.
create function public.set_rush(order_id uuid, rush boolean, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me public.staff;
  o public.orders;
  changed jsonb;
begin
  if rush is null then
    perform plater_private.fail('PT400', 'rush must be true or false');
  end if;
  me := plater_private.authorize(plater_private.restaurant_of('order', order_id), '{expo,manager}', 'rush orders');
  o := plater_private.order_for_update(me, order_id, expected_version);
  if o.status not in ('open', 'ready') then
    perform plater_private.refuse_state('order', o.id, o.status,
      format('a %s order cannot be rushed or unrushed', o.status));
  end if;
  if o.rush = set_rush.rush then
    return jsonb_build_object('order', to_jsonb(o), 'items', '[]'::jsonb);
  end if;
  update public.orders set rush = set_rush.rush where id = o.id returning * into o;
  with moved as (
    update public.order_items i set rush = set_rush.rush
     where i.order_id = o.id and i.status not in ('served', 'void')
    returning i.*
  )
  select coalesce(jsonb_agg(to_jsonb(moved) order by moved.created_at, moved.id), '[]') into changed from moved;
  return jsonb_build_object('order', to_jsonb(o), 'items', changed);
end;
$$;
revoke all on function
  public.place_order(uuid, jsonb, text), public.add_items(uuid, jsonb, int),
  public.fire_course(uuid, int, int), public.hold_course(uuid, int, int),
  public.start_item(uuid, int), public.finish_item(uuid, int), public.recall_item(uuid, int),
  public.bump_ticket(uuid, uuid), public.void_item(uuid, text, int), public.cancel_order(uuid, text, int),
  public.mark_served(uuid, int), public.seat_table(uuid, int, int, uuid), public.clear_table(uuid, int),
  public.set_rush(uuid, boolean, int)
  from public, anon;
grant execute on function
  public.place_order(uuid, jsonb, text), public.add_items(uuid, jsonb, int),
  public.fire_course(uuid, int, int), public.hold_course(uuid, int, int),
  public.start_item(uuid, int), public.finish_item(uuid, int), public.recall_item(uuid, int),
  public.bump_ticket(uuid, uuid), public.void_item(uuid, text, int), public.cancel_order(uuid, text, int),
  public.mark_served(uuid, int), public.seat_table(uuid, int, int, uuid), public.clear_table(uuid, int),
  public.set_rush(uuid, boolean, int)
  to authenticated, service_role;

-- Internal helpers are not API: only the definer-rights RPCs above call them.
revoke all on all functions in schema plater_private from public;
grant execute on function plater_private.my_restaurant(), plater_private.my_role(), plater_private.my_station(),
  plater_private.can_read_topic(text), plater_private.can_write_topic(text, text) to authenticated;
