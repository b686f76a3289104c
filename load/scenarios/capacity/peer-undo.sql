-- Removes peer.sql from the bench stack's database and turns this project's publishing back on. Safe to run
-- when peer.sql was never applied (a run that died before or during the peer's steps).
drop schema if exists capacity_peer cascade;

alter table public.orders enable trigger orders_publish_inserted;
alter table public.orders enable trigger orders_publish_updated;
alter table public.order_items enable trigger order_items_publish_inserted;
alter table public.order_items enable trigger order_items_publish_updated;
alter table public.dining_tables enable trigger dining_tables_publish_inserted;
alter table public.dining_tables enable trigger dining_tables_publish_updated;
