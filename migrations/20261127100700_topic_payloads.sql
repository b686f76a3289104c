-- What each audience sees of a row. The publishing triggers and the snapshots both build payloads through
-- these functions, so a snapshot and the deltas that follow it always have the same shape, and each
-- audience gets only the fields its screen needs (see docs/topics.md).
--
-- The builders are STABLE SQL, which the calling query inlines: jsonb_build_object, to_jsonb and extract(epoch
-- from timestamptz) are STABLE (their output depends on TimeZone), and an IMMUTABLE, SECURITY DEFINER or SET
-- function is never inlined, so it would be planned again on every call (docs/decisions.md, 2026-11-30).
-- Lookups that must run as definer (table_label, order_people) are PL/pgSQL or SQL called once per row.

create function plater_private.table_label(table_id uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select t.label from public.dining_tables t where t.id = table_id);
end;
$$;

-- Who a ticket is for and who took it, as kitchen tickets show them: the order's server's display name (never their
-- id: cooks see no staff ids) and the party seated at its table (null once the table is free), in one lookup
-- (security definer: a cook may not read staff rows or tables).
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

create function plater_private.kds_item(i public.order_items, table_label text) returns jsonb
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

create function plater_private.order_summary(o public.orders, table_label text) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'order', 'id', o.id, 'version', o.version, 'table_id', o.table_id, 'table', table_label,
    'server_id', o.server_id, 'server_name', p.server_name, 'guests', p.guests, 'status', o.status,
    'rush', o.rush, 'note', o.note, 'created_at', o.created_at)
    from plater_private.order_people(o.id) p
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
