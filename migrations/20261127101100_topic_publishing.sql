-- Topic publishing: every committed change reaches each audience's topic as one message per changed row and
-- audience, with a contiguous `seq` per topic (docs/topics.md). Written per statement, not per row, because the
-- fixed cost of each publish (counter, topic log, realtime.messages, a subtransaction) paid per message made
-- publishing most of a write's cost (docs/decisions.md, 2026-11-30):
--
-- * AFTER … FOR EACH STATEMENT triggers read the statement's transition table and build every audience's
--   payload in one query;
-- * plater_private.publish_many stamps and writes them set-wise: one read of each topic's head (no counter row
--   to update), one insert into the topic log, one insert into realtime.messages;
-- * that last insert is written directly instead of through realtime.send, which per message ran a dynamic
--   `SET LOCAL` and opened a subtransaction. Like realtime.send, a failed broadcast never fails the write
--   (one exception block per statement, same WARNING): the topic log, written outside that block, is what
--   catch-up reads;
-- * the order-status rollup (status machines) runs once per statement too, and is named to fire after the item
--   publisher, so an item's event precedes the order event it causes.

create type plater_private.outgoing as (restaurant uuid, topic text, event text, body jsonb);

-- Stamp each message with its topic's next seq and the time, keep it in the topic log and broadcast it.
-- Within one call, a topic's messages get consecutive seqs in array order. A topic's head is read after its
-- restaurant's lock is held (taken here in a fixed order, so never in conflicting orders, and kept until the
-- transaction ends), in a statement whose snapshot sees every earlier holder's commit: on one topic seq order is
-- commit order and a rollback leaves no gap. The topic log's primary key refuses a seq given twice.
create function plater_private.publish_many(messages plater_private.outgoing[])
returns void
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  envelopes jsonb[];
  topics text[];
  events text[];
begin
  if coalesce(cardinality(messages), 0) = 0 then
    return;
  end if;
  perform plater_private.lock_restaurant(r)
     from (select distinct m.restaurant as r from unnest(messages) m order by 1) restaurants;

  with wanted as (
    select m.topic, m.event, m.body, m.ord
      from unnest(messages) with ordinality as m (restaurant, topic, event, body, ord)
  ), heads as (
    select h.topic, h.head from plater_private.topic_heads(array(select distinct w.topic from wanted w)) h
  ), stamped as (
    select w.topic, w.event, w.ord,
           jsonb_build_object('seq', h.head + row_number() over (per_topic order by w.ord),
                              'ts', plater_private.epoch_ms()) || w.body as envelope
      from wanted w join heads h on h.topic = w.topic
    window per_topic as (partition by w.topic)
  ), logged as (
    insert into plater_private.topic_log (topic, seq, event, payload)
    select s.topic, (s.envelope ->> 'seq')::bigint, s.event, s.envelope from stamped s
  )
  select array_agg(s.envelope order by s.ord), array_agg(s.topic order by s.ord), array_agg(s.event order by s.ord)
    into envelopes, topics, events
    from stamped s;

  begin
    -- Each row gets a UUIDv7 (RFC 9562: 48 bits of Unix time in ms, then random bits) instead of the random id
    -- realtime.send leaves to the column's default. The primary key is (id, inserted_at): with random ids every
    -- insert lands on a random leaf of an index holding up to three days of messages, so after each checkpoint
    -- nearly every insert writes a full-page image of another leaf; ordered ids append at the index's right edge
    -- (load/README.md, "Time-ordered message ids"). Written inline rather than as a function, which could not be
    -- inlined with its own search_path (Postgres 18 has uuidv7(); hosted projects run 15 or 17).
    insert into realtime.messages (id, payload, event, topic, private, extension)
    select encode(set_bit(set_bit(
             overlay(uuid_send(gen_random_uuid())
                     placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                     from 1 for 6),
             52, 1), 53, 1), -- version 4 (0100) → 7 (0111): the version nibble is bits 4–7 of byte 6
           'hex')::uuid,
           b.envelope, b.event, b.topic, true, 'broadcast'
      from unnest(envelopes, events, topics) as b (envelope, event, topic);
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;
revoke all on function plater_private.publish_many(plater_private.outgoing[]) from public;

-- One message, for callers outside the triggers. Returns the seq it got.
create function plater_private.publish(restaurant uuid, topic text, event text, body jsonb)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform plater_private.publish_many(array[row(restaurant, topic, event, body)::plater_private.outgoing]);
  return plater_private.topic_head(topic);
end;
$$;
revoke all on function plater_private.publish(uuid, text, text, jsonb) from public;

-- Items: kds (the item's station), expo, the order's server, admin — per row, in the statement's row order.
create function plater_private.publish_item_rows()
returns trigger
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  perform plater_private.publish_many(array(
    select row(i.restaurant_id, m.topic, 'item', m.body)::plater_private.outgoing
      from (select row(n.*)::public.order_items as n, row_number() over () as ord from new_rows n) c
      cross join lateral (select (c.n).*) i
      join public.orders o on o.id = i.order_id
      left join public.dining_tables d on d.id = o.table_id
      left join public.staff p on p.user_id = o.server_id
      cross join lateral (values
        (1, format('kds:%s:%s', i.restaurant_id, i.station_id), plater_private.kds_item(c.n, d.label, p.display_name, o.guests)),
        (2, format('expo:%s', i.restaurant_id), plater_private.expo_item(c.n)),
        (3, format('server:%s:%s', i.restaurant_id, o.server_id), plater_private.server_item(c.n)),
        (4, format('admin:%s', i.restaurant_id), plater_private.admin_row('item', i.id, i.version, to_jsonb(c.n)))
      ) as m (audience, topic, body)
     order by c.ord, m.audience));
  return null;
end;
$$;

create function plater_private.publish_order_rows()
returns trigger
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  perform plater_private.publish_many(array(
    select row(o.restaurant_id, m.topic, 'order', m.body)::plater_private.outgoing
      from (select row(n.*)::public.orders as n, row_number() over () as ord from new_rows n) c
      cross join lateral (select (c.n).*) o
      left join public.dining_tables d on d.id = o.table_id
      left join public.staff p on p.user_id = o.server_id
      cross join lateral (select plater_private.order_summary(c.n, d.label, p.display_name) as summary) s
      cross join lateral (values
        (1, format('expo:%s', o.restaurant_id), s.summary),
        (2, format('server:%s:%s', o.restaurant_id, o.server_id), s.summary),
        (3, format('admin:%s', o.restaurant_id), plater_private.admin_row('order', o.id, o.version, to_jsonb(c.n)))
      ) as m (audience, topic, body)
     order by c.ord, m.audience));
  return null;
end;
$$;

-- A table's server topic changes hands when it is reassigned or cleared: the previous server hears the
-- change too, so their screen can drop the table.
create function plater_private.publish_table_rows()
returns trigger
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  -- table id → its server before this statement; only an UPDATE has one (an INSERT has no old_rows to read)
  previous_servers jsonb := '{}';
begin
  if tg_op = 'UPDATE' then
    previous_servers := (select coalesce(jsonb_object_agg(o.id, o.server_id), '{}') from old_rows o);
  end if;
  perform plater_private.publish_many(array(
    select row(t.restaurant_id, m.topic, 'table', m.body)::plater_private.outgoing
      from (select row(n.*)::public.dining_tables as n, row_number() over () as ord from new_rows n) c
      cross join lateral (select (c.n).*) t
      cross join lateral (select plater_private.floor_table(c.n) as floor,
                                 (previous_servers ->> t.id::text)::uuid as previous_server) f
      cross join lateral (values
        (1, format('floor:%s', t.restaurant_id), f.floor),
        (2, case when t.server_id is not null then format('server:%s:%s', t.restaurant_id, t.server_id) end, f.floor),
        (3, case when f.previous_server is distinct from t.server_id and f.previous_server is not null
                 then format('server:%s:%s', t.restaurant_id, f.previous_server) end, f.floor),
        (4, format('admin:%s', t.restaurant_id), plater_private.admin_row('table', t.id, t.version, to_jsonb(c.n)))
      ) as m (audience, topic, body)
     where m.topic is not null
     order by c.ord, m.audience));
  return null;
end;
$$;

-- AFTER STATEMENT triggers fire in name order: publish before the rollup (order_items_rollup_*), so an item's
-- event precedes the order event it causes. Transition tables allow one event per trigger, hence the pairs.
create trigger order_items_publish_inserted after insert on public.order_items
  referencing new table as new_rows for each statement execute function plater_private.publish_item_rows();
create trigger order_items_publish_updated after update on public.order_items
  referencing new table as new_rows for each statement execute function plater_private.publish_item_rows();
create trigger orders_publish_inserted after insert on public.orders
  referencing new table as new_rows for each statement execute function plater_private.publish_order_rows();
create trigger orders_publish_updated after update on public.orders
  referencing new table as new_rows for each statement execute function plater_private.publish_order_rows();
create trigger dining_tables_publish_inserted after insert on public.dining_tables
  referencing new table as new_rows for each statement execute function plater_private.publish_table_rows();
create trigger dining_tables_publish_updated after update on public.dining_tables
  referencing new table as new_rows old table as old_rows
  for each statement execute function plater_private.publish_table_rows();

revoke all on function plater_private.publish_item_rows(), plater_private.publish_order_rows(),
  plater_private.publish_table_rows() from public;
