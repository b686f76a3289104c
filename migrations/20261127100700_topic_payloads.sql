-- What each audience sees of a row. The publishing triggers and the snapshots both build payloads through
-- these functions, so a snapshot and the deltas that follow it always have the same shape, and each
-- audience gets only the fields its screen needs (see docs/topics.md).

create function plater_private.table_label(table_id uuid) returns text
language sql stable security definer set search_path = ''
as $$ select label from public.dining_tables where id = table_id $$;

create function plater_private.kds_item(i public.order_items, table_label text) returns jsonb
language sql immutable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'table', table_label,
    'course', i.course, 'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'notes', i.notes,
    'allergens', to_jsonb(i.allergens), 'status', i.status, 'fired_at', i.fired_at,
    'started_at', i.started_at, 'ready_at', i.ready_at)
$$;

create function plater_private.expo_item(i public.order_items) returns jsonb
language sql immutable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'station_id', i.station_id,
    'course', i.course, 'name', i.name, 'qty', i.qty, 'status', i.status, 'fired_at', i.fired_at,
    'ready_at', i.ready_at)
$$;

create function plater_private.server_item(i public.order_items) returns jsonb
language sql immutable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'course', i.course,
    'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'status', i.status)
$$;

create function plater_private.order_summary(o public.orders, table_label text) returns jsonb
language sql immutable
as $$
  select jsonb_build_object(
    'type', 'order', 'id', o.id, 'version', o.version, 'table_id', o.table_id, 'table', table_label,
    'server_id', o.server_id, 'status', o.status, 'note', o.note, 'created_at', o.created_at)
$$;

create function plater_private.floor_table(t public.dining_tables) returns jsonb
language sql immutable
as $$
  select jsonb_build_object(
    'type', 'table', 'id', t.id, 'version', t.version, 'label', t.label, 'seats', t.seats, 'status', t.status,
    'server_id', t.server_id, 'party_size', t.party_size, 'seated_at', t.seated_at)
$$;

-- The manager's change feed carries the whole row.
create function plater_private.admin_row(entity text, id uuid, version int, row_data jsonb) returns jsonb
language sql immutable
as $$ select jsonb_build_object('type', entity, 'id', id, 'version', version, 'row', row_data) $$;

create function plater_private.publish_item_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  o public.orders;
  label text;
  r uuid := new.restaurant_id;
begin
  select * into o from public.orders where id = new.order_id;
  label := plater_private.table_label(o.table_id);
  perform plater_private.publish(r, format('kds:%s:%s', r, new.station_id), 'item', plater_private.kds_item(new, label));
  perform plater_private.publish(r, format('expo:%s', r), 'item', plater_private.expo_item(new));
  perform plater_private.publish(r, format('server:%s:%s', r, o.server_id), 'item', plater_private.server_item(new));
  perform plater_private.publish(r, format('admin:%s', r), 'item',
    plater_private.admin_row('item', new.id, new.version, to_jsonb(new)));
  return null;
end;
$$;

create function plater_private.publish_order_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  summary jsonb := plater_private.order_summary(new, plater_private.table_label(new.table_id));
  r uuid := new.restaurant_id;
begin
  perform plater_private.publish(r, format('expo:%s', r), 'order', summary);
  perform plater_private.publish(r, format('server:%s:%s', r, new.server_id), 'order', summary);
  perform plater_private.publish(r, format('admin:%s', r), 'order',
    plater_private.admin_row('order', new.id, new.version, to_jsonb(new)));
  return null;
end;
$$;

-- A table's server topic changes hands when it is reassigned or cleared: the previous server hears the
-- change too, so their screen can drop the table.
create function plater_private.publish_table_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  body jsonb := plater_private.floor_table(new);
  r uuid := new.restaurant_id;
  server uuid;
begin
  perform plater_private.publish(r, format('floor:%s', r), 'table', body);
  for server in
    select distinct s from unnest(array[new.server_id, case when tg_op = 'UPDATE' then old.server_id end]) s
     where s is not null
  loop
    perform plater_private.publish(r, format('server:%s:%s', r, server), 'table', body);
  end loop;
  perform plater_private.publish(r, format('admin:%s', r), 'table',
    plater_private.admin_row('table', new.id, new.version, to_jsonb(new)));
  return null;
end;
$$;

create trigger order_items_publish after insert or update on public.order_items
  for each row execute function plater_private.publish_item_change();
create trigger orders_publish after insert or update on public.orders
  for each row execute function plater_private.publish_order_change();
create trigger dining_tables_publish after insert or update on public.dining_tables
  for each row execute function plater_private.publish_table_change();
