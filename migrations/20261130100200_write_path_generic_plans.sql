-- Plans the write path stops rebuilding, continued (issue 8). PL/pgSQL runs its statements through the plan cache,
-- which plans a statement with parameters afresh for its first five runs and then keeps doing so whenever a custom
-- plan looks cheaper than the generic one — as it does for statements over a parameter array (unnest, = any) or
-- whose row estimates depend on the values. Every statement on this path is a key lookup or a set-wise write whose
-- best plan does not depend on the values, so re-planning was pure cost: in a CPU profile of
-- finish_item/recall_item, plan building fell from 9 % of the backends' samples to none. The setting applies to
-- everything a function calls, triggers included; a function redefined with CREATE OR REPLACE must repeat the SET
-- clause (it replaces them all).

alter function public.place_order(uuid, jsonb, text) set plan_cache_mode = force_generic_plan;
alter function public.add_items(uuid, jsonb, int) set plan_cache_mode = force_generic_plan;
alter function public.fire_course(uuid, int, int) set plan_cache_mode = force_generic_plan;
alter function public.hold_course(uuid, int, int) set plan_cache_mode = force_generic_plan;
alter function public.start_item(uuid, int) set plan_cache_mode = force_generic_plan;
alter function public.finish_item(uuid, int) set plan_cache_mode = force_generic_plan;
alter function public.recall_item(uuid, int) set plan_cache_mode = force_generic_plan;
alter function public.bump_ticket(uuid, uuid) set plan_cache_mode = force_generic_plan;
alter function public.void_item(uuid, text, int) set plan_cache_mode = force_generic_plan;
alter function public.cancel_order(uuid, text, int) set plan_cache_mode = force_generic_plan;
alter function public.mark_served(uuid, int) set plan_cache_mode = force_generic_plan;
alter function public.seat_table(uuid, int, int, uuid) set plan_cache_mode = force_generic_plan;
alter function public.clear_table(uuid, int) set plan_cache_mode = force_generic_plan;

-- Writes that do not come through an RPC (SQL console, a future function) publish on generic plans too.
alter function plater_private.publish_many(plater_private.outgoing[]) set plan_cache_mode = force_generic_plan;
alter function plater_private.publish_item_rows() set plan_cache_mode = force_generic_plan;
alter function plater_private.publish_order_rows() set plan_cache_mode = force_generic_plan;
alter function plater_private.publish_table_rows() set plan_cache_mode = force_generic_plan;
alter function plater_private.derive_order_statuses() set plan_cache_mode = force_generic_plan;

-- The transition rules compare statuses as text, and an enum's text form is STABLE (labels can be renamed):
-- declared IMMUTABLE, these were never inlined and were planned on every row a status machine checked.
alter function plater_private.item_transition_allowed(public.item_status, public.item_status) stable;
alter function plater_private.order_transition_allowed(public.order_status, public.order_status) stable;

-- Order lines' modifiers and allergens: a SQL function whose body holds a sub-select is never inlined, so these
-- were planned afresh for every line of every order. PL/pgSQL keeps the plan.
create or replace function plater_private.is_text_list(value jsonb) returns boolean
language plpgsql immutable
as $$
begin
  return value is null or value = 'null'::jsonb or (jsonb_typeof(value) = 'array'
    and not exists (select 1 from jsonb_array_elements(value) e where jsonb_typeof(e) <> 'string'));
end;
$$;

create or replace function plater_private.text_array(value jsonb) returns text[]
language plpgsql immutable
as $$
begin
  return coalesce(array(select jsonb_array_elements_text(coalesce(value, '[]'))), '{}');
end;
$$;
