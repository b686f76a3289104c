-- Rush orders (Square's "prioritise ticket", Toast's expo priority): expo or a manager marks an order rush, and
-- unmarks it; every screen that shows it sorts it first. `rush` is on the order and, copied, on its live items,
-- because the kitchen's screens receive items, not orders: setting it updates the items (their versions move),
-- so the ordinary item events carry the flag to every station that has part of the order, and a client applies
-- them by version like any other change. Served and void items are final and keep the flag they had.

alter table public.orders add column rush boolean not null default false;
alter table public.order_items add column rush boolean not null default false;

-- Items added to a rushed order are rushed too.
create function plater_private.inherit_rush()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.rush := coalesce((select o.rush from public.orders o where o.id = new.order_id), false);
  return new;
end;
$$;
create trigger order_items_inherit_rush before insert on public.order_items
  for each row execute function plater_private.inherit_rush();

-- {order, items}: the order and the items whose flag changed. Setting what is already set changes and
-- publishes nothing (a double tap, a retried undo). Only open or ready orders: a served, closed or cancelled
-- order has nothing left to hurry.
create function public.set_rush(order_id uuid, rush boolean, expected_version int default null)
returns jsonb
language plpgsql security definer set search_path = ''
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
    perform plater_private.fail('PT422', format('a %s order cannot be rushed or unrushed', o.status),
      jsonb_build_object('entity', 'order', 'id', o.id, 'status', o.status));
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
revoke all on function public.set_rush(uuid, boolean, int) from public, anon;
grant execute on function public.set_rush(uuid, boolean, int) to authenticated, service_role;
revoke all on function plater_private.inherit_rush() from public;

-- The payload builders of 20261127100700_topic_payloads.sql, each with `rush` (docs/topics.md). Same
-- signatures, so every publisher and snapshot that calls them carries the field. STABLE, as
-- 20261130100000_statement_publishing.sql made them: an IMMUTABLE SQL function around jsonb_build_object is
-- never inlined and is planned again on every call.
create or replace function plater_private.kds_item(i public.order_items, table_label text) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'table', table_label,
    'course', i.course, 'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'notes', i.notes,
    'allergens', to_jsonb(i.allergens), 'status', i.status, 'rush', i.rush, 'fired_at', i.fired_at,
    'started_at', i.started_at, 'ready_at', i.ready_at)
$$;

create or replace function plater_private.expo_item(i public.order_items) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'station_id', i.station_id,
    'course', i.course, 'name', i.name, 'qty', i.qty, 'status', i.status, 'rush', i.rush,
    'fired_at', i.fired_at, 'ready_at', i.ready_at)
$$;

create or replace function plater_private.server_item(i public.order_items) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'course', i.course,
    'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'status', i.status, 'rush', i.rush)
$$;

create or replace function plater_private.order_summary(o public.orders, table_label text) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'order', 'id', o.id, 'version', o.version, 'table_id', o.table_id, 'table', table_label,
    'server_id', o.server_id, 'status', o.status, 'rush', o.rush, 'note', o.note, 'created_at', o.created_at)
$$;
