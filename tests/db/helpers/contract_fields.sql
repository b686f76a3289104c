-- GENERATED from contract/payloads.ts by `npm run contract:docs`: do not edit (tests/contract/generated.test.ts
-- fails when this file differs from the contract). Included by tests/db/topics.test.sql after `begin;`.
--
--   payload_keys (kind, event, keys):  every key of a published payload, envelope included
--   admin_row_keys (event, keys):      the columns of the whole row in the manager's feed
--   snapshot_data_keys (kind, keys):   the keys of a snapshot's `data`
create temp table payload_keys (kind text, event text, keys text[], primary key (kind, event));
insert into payload_keys
select kind, event, array(select k from unnest(keys) k order by k) from (values
  ('kds', 'item', array['seq', 'ts', 'type', 'id', 'version', 'order_id', 'course', 'name', 'qty', 'modifiers', 'notes', 'allergens', 'status', 'rush', 'table', 'server_name', 'guests', 'fired_at', 'started_at', 'ready_at']),
  ('expo', 'order', array['seq', 'ts', 'type', 'id', 'version', 'table_id', 'table', 'server_id', 'server_name', 'guests', 'status', 'rush', 'note', 'created_at']),
  ('expo', 'item', array['seq', 'ts', 'type', 'id', 'version', 'order_id', 'station_id', 'course', 'name', 'qty', 'status', 'rush', 'fired_at', 'ready_at']),
  ('server', 'order', array['seq', 'ts', 'type', 'id', 'version', 'table_id', 'table', 'server_id', 'server_name', 'guests', 'status', 'rush', 'note', 'created_at']),
  ('server', 'item', array['seq', 'ts', 'type', 'id', 'version', 'order_id', 'course', 'name', 'qty', 'modifiers', 'notes', 'allergens', 'status', 'rush']),
  ('server', 'table', array['seq', 'ts', 'type', 'id', 'version', 'label', 'seats', 'status', 'server_id', 'party_size', 'seated_at']),
  ('floor', 'table', array['seq', 'ts', 'type', 'id', 'version', 'label', 'seats', 'status', 'server_id', 'party_size', 'seated_at']),
  ('admin', 'order', array['seq', 'ts', 'type', 'id', 'version', 'row']),
  ('admin', 'item', array['seq', 'ts', 'type', 'id', 'version', 'row']),
  ('admin', 'table', array['seq', 'ts', 'type', 'id', 'version', 'row'])
) as v (kind, event, keys);
create temp table admin_row_keys (event text, keys text[], primary key (event));
insert into admin_row_keys
select event, array(select k from unnest(keys) k order by k) from (values
  ('order', array['id', 'restaurant_id', 'table_id', 'server_id', 'status', 'note', 'version', 'created_at', 'updated_at', 'closed_at', 'rush']),
  ('item', array['id', 'restaurant_id', 'order_id', 'station_id', 'menu_item_id', 'name', 'qty', 'modifiers', 'notes', 'allergens', 'course', 'status', 'fired_at', 'started_at', 'ready_at', 'void_reason', 'version', 'created_at', 'updated_at', 'rush']),
  ('table', array['id', 'restaurant_id', 'label', 'seats', 'status', 'server_id', 'party_size', 'seated_at', 'version', 'updated_at'])
) as v (event, keys);
create temp table snapshot_data_keys (kind text, keys text[], primary key (kind));
insert into snapshot_data_keys
select kind, array(select k from unnest(keys) k order by k) from (values
  ('kds', array['items']),
  ('expo', array['orders', 'items']),
  ('server', array['orders', 'items', 'tables']),
  ('floor', array['tables']),
  ('admin', array['orders', 'items', 'tables'])
) as v (kind, keys);
