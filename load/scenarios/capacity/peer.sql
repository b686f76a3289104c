-- The peer: the same service published the way Supabase documents "Broadcast from Database"
-- (https://supabase.com/docs/guides/realtime/broadcast#broadcast-from-the-database): a row trigger on each table
-- calling realtime.broadcast_changes to a per-restaurant topic — whole rows (new and old), no role scoping, no
-- sequence, no topic log; every screen of the restaurant receives every change and filters in JavaScript.
--
-- Bench-only: applied by load/scenarios/capacity to the bench stack's database for the peer's steps and removed again by
-- peer-undo.sql (never part of migrations/). It creates no realtime.* object and alters none. The topic is
-- `crew:{restaurant}`, the one per-restaurant topic the project's realtime.messages policy already admits every
-- active staff member of the restaurant to: the membership check a user of the documented pattern writes into
-- their own policy, so the peer's joins cost the same probe. This project's publishing triggers are disabled
-- while the peer runs (its status machines, history and rollups stay: they are the service's rules).

create schema capacity_peer;

create function capacity_peer.broadcast_row() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'crew:' || coalesce(new.restaurant_id, old.restaurant_id)::text,
    tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;

create trigger capacity_peer_broadcast after insert or update or delete on public.orders
  for each row execute function capacity_peer.broadcast_row();
create trigger capacity_peer_broadcast after insert or update or delete on public.order_items
  for each row execute function capacity_peer.broadcast_row();
create trigger capacity_peer_broadcast after insert or update or delete on public.dining_tables
  for each row execute function capacity_peer.broadcast_row();

alter table public.orders disable trigger orders_publish_inserted;
alter table public.orders disable trigger orders_publish_updated;
alter table public.order_items disable trigger order_items_publish_inserted;
alter table public.order_items disable trigger order_items_publish_updated;
alter table public.dining_tables disable trigger dining_tables_publish_inserted;
alter table public.dining_tables disable trigger dining_tables_publish_updated;
