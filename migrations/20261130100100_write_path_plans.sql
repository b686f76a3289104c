-- Plans the write path no longer rebuilds on every call (issue 8). Postgres 17 re-plans the body of a SQL
-- function it cannot inline each time the calling statement runs, and it never inlines one that is
-- SECURITY DEFINER, has a SET clause, or is declared IMMUTABLE around a STABLE expression (jsonb_build_object,
-- to_jsonb and extract(epoch from timestamptz) are STABLE: their output depends on TimeZone). Measured warm,
-- restaurant_of cost 0.12 ms a call and building one kds payload 0.1 ms, more than the row writes they
-- serve. PL/pgSQL caches its plans per session; a STABLE SQL builder is inlined into the calling query.

-- The payload builders and the envelope clock: STABLE is also the truth (timestamps render in TimeZone).
alter function plater_private.kds_item(public.order_items, text) stable;
alter function plater_private.expo_item(public.order_items) stable;
alter function plater_private.server_item(public.order_items) stable;
alter function plater_private.order_summary(public.orders, text) stable;
alter function plater_private.floor_table(public.dining_tables) stable;
alter function plater_private.admin_row(text, uuid, int, jsonb) stable;
alter function plater_private.epoch_ms(timestamptz) stable;

create or replace function plater_private.restaurant_of(entity text, id uuid) returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return case entity
           when 'order' then (select o.restaurant_id from public.orders o where o.id = restaurant_of.id)
           when 'item' then (select i.restaurant_id from public.order_items i where i.id = restaurant_of.id)
           when 'table' then (select t.restaurant_id from public.dining_tables t where t.id = restaurant_of.id)
         end;
end;
$$;

create or replace function plater_private.table_label(table_id uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select t.label from public.dining_tables t where t.id = table_id);
end;
$$;

create or replace function public.fire_course(order_id uuid, course int, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
as $$ begin return plater_private.set_course(order_id, course, true, expected_version); end; $$;

create or replace function public.hold_course(order_id uuid, course int, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
as $$ begin return plater_private.set_course(order_id, course, false, expected_version); end; $$;

create or replace function public.start_item(item_id uuid, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
as $$
begin
  return plater_private.move_item(item_id, 'preparing', expected_version, '{cook,expo,manager}', 'start items');
end;
$$;

create or replace function public.finish_item(item_id uuid, expected_version int default null)
returns jsonb language plpgsql security definer set search_path = ''
as $$
begin
  return plater_private.move_item(item_id, 'ready', expected_version, '{cook,expo,manager}', 'finish items');
end;
$$;
