-- A server's items carry their allergens and notes (issue 17): the server answers the guest's "is the dairy off
-- my dish?" and checks what the kitchen was told, from their own screen. Same signature and volatility as the
-- builder of 20261130110200_rush_orders.sql, so the server snapshot and every publisher that calls it carry the
-- two fields (docs/topics.md).
create or replace function plater_private.server_item(i public.order_items) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'type', 'item', 'id', i.id, 'version', i.version, 'order_id', i.order_id, 'course', i.course,
    'name', i.name, 'qty', i.qty, 'modifiers', to_jsonb(i.modifiers), 'notes', i.notes,
    'allergens', to_jsonb(i.allergens), 'status', i.status, 'rush', i.rush)
$$;
