-- Rushed orders pass their flag to items added later without a per-row trigger: measured on the 2-core machine,
-- the BEFORE INSERT trigger of 20261130110200 (a PL/pgSQL call and an order lookup per item) cost 20–35 µs per
-- inserted item, on the write path issue 8 is making cheaper. Every item is inserted by insert_items, which
-- already holds the locked order row, so it sets `rush` from it at no cost. This is insert_items of
-- 20261127100800_write_rpcs.sql with that one column added.

drop trigger order_items_inherit_rush on public.order_items;
drop function plater_private.inherit_rush();

create or replace function plater_private.insert_items(o public.orders, items jsonb) returns jsonb
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
