-- Who a ticket is for and who took it: kitchen tickets and expo cards name the order's server and the party
-- seated at its table, as Toast and Fresh KDS print them (issue 17). `server_name` is the server's display name
-- (never their id: cooks see no staff ids), `guests` the table's party size, null once the table is free.
-- The payload builders of 20261130110200_rush_orders.sql with those two fields; same signatures, so every
-- publisher and snapshot that calls them carries them.

-- The order's server and party in one lookup (security definer: a cook may not read staff rows or tables).
create function plater_private.order_people(order_id uuid, out server_name text, out guests int)
language sql stable security definer set search_path = ''
as $$
  select s.display_name, d.party_size
    from public.orders o
    left join public.staff s on s.user_id = o.server_id
    left join public.dining_tables d on d.id = o.table_id
   where o.id = order_people.order_id
$$;
revoke all on function plater_private.order_people(uuid) from public;

create or replace function plater_private.kds_item(i public.order_items, table_label text) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'table', table_label,
    'server_name', p.server_name, 'guests', p.guests,
    'course', i.course, 'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'notes', i.notes,
    'allergens', to_jsonb(i.allergens), 'status', i.status, 'rush', i.rush, 'fired_at', i.fired_at,
    'started_at', i.started_at, 'ready_at', i.ready_at)
    from plater_private.order_people(i.order_id) p
$$;

create or replace function plater_private.order_summary(o public.orders, table_label text) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'order', 'id', o.id, 'version', o.version, 'table_id', o.table_id, 'table', table_label,
    'server_id', o.server_id, 'server_name', p.server_name, 'guests', p.guests, 'status', o.status,
    'rush', o.rush, 'note', o.note, 'created_at', o.created_at)
    from plater_private.order_people(o.id) p
$$;
