-- What each audience sees of a row. The publishing triggers and the snapshots both build payloads through
-- these functions, so a snapshot and the deltas that follow it always have the same shape, and each
-- audience gets only the fields its screen needs (see docs/topics.md).
--
-- The builders are STABLE SQL, which the calling query inlines: jsonb_build_object, to_jsonb and extract(epoch
-- from timestamptz) are STABLE (their output depends on TimeZone), and an IMMUTABLE, SECURITY DEFINER or SET
-- function is never inlined, so it would be planned again on every call (docs/decisions.md, 2026-11-30).
-- Lookups that must run as definer (table_label) are PL/pgSQL called once per row; the publishers and snapshots
-- (security definer themselves) join what a ticket names — its table's label, its server's display name — once
-- per statement and pass it in: a definer lookup per payload cost a function call and its plan each.
--
-- `server_name` is the order's server's display name (never their id: cooks see no staff ids) and `guests` the
-- party the order was placed for (orders.guests), so a ticket says who it is for and who took it.

create function plater_private.table_label(table_id uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select t.label from public.dining_tables t where t.id = table_id);
end;
$$;

create function plater_private.kds_item(i public.order_items, table_label text, server_name text, guests int)
returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'table', table_label,
    'server_name', server_name, 'guests', guests,
    'course', i.course, 'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'notes', i.notes,
    'allergens', to_jsonb(i.allergens), 'status', i.status, 'rush', i.rush, 'fired_at', i.fired_at,
    'started_at', i.started_at, 'ready_at', i.ready_at)
$$;

create function plater_private.expo_item(i public.order_items) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'station_id', i.station_id,
    'course', i.course, 'name', i.name, 'qty', i.qty, 'status', i.status, 'rush', i.rush,
    'fired_at', i.fired_at, 'ready_at', i.ready_at)
$$;

create function plater_private.server_item(i public.order_items) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'course', i.course,
    'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'notes', i.notes,
    'allergens', to_jsonb(i.allergens), 'status', i.status, 'rush', i.rush)
$$;

create function plater_private.order_summary(o public.orders, table_label text, server_name text) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'order', 'id', o.id, 'version', o.version, 'table_id', o.table_id, 'table', table_label,
    'server_id', o.server_id, 'server_name', server_name, 'guests', o.guests, 'status', o.status,
    'rush', o.rush, 'note', o.note, 'created_at', o.created_at)
$$;

create function plater_private.floor_table(t public.dining_tables) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'table', 'id', t.id, 'version', t.version, 'label', t.label, 'seats', t.seats, 'status', t.status,
    'server_id', t.server_id, 'party_size', t.party_size, 'seated_at', t.seated_at)
$$;

-- The manager's change feed carries the whole row.
create function plater_private.admin_row(entity text, id uuid, version int, row_data jsonb) returns jsonb
language sql stable
as $$ select jsonb_build_object('type', entity, 'id', id, 'version', version, 'row', row_data) $$;
