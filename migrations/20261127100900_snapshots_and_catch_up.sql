-- Cold-start reads for each topic and catch-up after a gap. A snapshot is built in ONE statement, so the
-- rows and the `seq` it reports come from the same MVCC snapshot: applying the topic's events with a higher
-- seq on top of it yields exactly the current state, nothing missed and nothing twice.

create function plater_private.require_topic_reader(topic text) returns void
language plpgsql stable
as $$
begin
  if (plater_private.current_staff()).user_id is null then
    perform plater_private.fail('PT401', 'sign in as an active staff member to read topics');
  end if;
  if not plater_private.can_read_topic(topic) then
    perform plater_private.fail('PT403', format('you may not read topic %s', topic));
  end if;
end;
$$;

-- The seq each topic is at: its log's highest, else (pruned empty, or never published) what pruning removed.
-- publish_many allocates from it under the restaurant lock, for all of a statement's topics in one call: a call
-- per topic cost a function call and an executor start each (≈ 16 µs, six times a write). PL/pgSQL keeps its
-- plan for the session (a SQL function with sub-selects is not inlined and would be planned again in every
-- statement that calls it), and it is not SECURITY DEFINER because every caller already is: no per-call
-- search_path switch on the write path.
create function plater_private.topic_heads(topics text[]) returns table (topic text, head bigint)
language plpgsql stable
as $$
begin
  return query
    select t.topic,
           coalesce((select max(l.seq) from plater_private.topic_log l where l.topic = t.topic),
                    (select r.pruned_through from plater_private.topic_retention r where r.topic = t.topic),
                    0)
      from unnest(topics) as t (topic);
end;
$$;

-- One topic's seq, for the reads.
create function plater_private.topic_head(topic text) returns bigint
language plpgsql stable
as $$
begin
  return (select h.head from plater_private.topic_heads(array[topic_head.topic]) h);
end;
$$;

-- The seq a topic is at, for revalidating cached snapshots (ETag) without rebuilding them.
create function public.topic_seq(topic text) returns bigint
language plpgsql stable security definer set search_path = ''
as $$
begin
  perform plater_private.require_topic_reader(topic);
  return plater_private.topic_head(topic);
end;
$$;

create function plater_private.snapshot_rows(topic text) returns jsonb
language sql stable security definer set search_path = ''
as $$
  with t as (
    select split_part(topic, ':', 1) as kind,
           split_part(topic, ':', 2)::uuid as restaurant,
           nullif(split_part(topic, ':', 3), '')::uuid as scope
  ),
  live_orders as (
    select o as row, o.id, o.created_at, plater_private.table_label(o.table_id) as table_label,
           p.display_name as server_name
      from public.orders o cross join t
      left join public.staff p on p.user_id = o.server_id
     where o.restaurant_id = t.restaurant
       and case t.kind
             when 'server' then o.server_id = t.scope and o.status in ('open', 'ready', 'served')
             when 'expo' then o.status in ('open', 'ready')
             when 'admin' then o.status in ('open', 'ready', 'served')
             else false
           end
  )
  select case t.kind
    when 'kds' then jsonb_build_object('items', coalesce((
      select jsonb_agg(plater_private.kds_item(i, plater_private.table_label(o.table_id), p.display_name, o.guests)
                       order by i.created_at, i.id)
        from public.order_items i join public.orders o on o.id = i.order_id
        left join public.staff p on p.user_id = o.server_id
       where i.station_id = t.scope and i.status in ('held', 'pending', 'preparing', 'ready')), '[]'))
    when 'expo' then jsonb_build_object(
      'orders', coalesce((select jsonb_agg(plater_private.order_summary(lo.row, lo.table_label, lo.server_name)
                                           order by lo.created_at, lo.id) from live_orders lo), '[]'),
      'items', coalesce((select jsonb_agg(plater_private.expo_item(i) order by i.created_at, i.id)
                           from public.order_items i join live_orders lo on lo.id = i.order_id
                          where i.status <> 'void'), '[]'))
    when 'server' then jsonb_build_object(
      'orders', coalesce((select jsonb_agg(plater_private.order_summary(lo.row, lo.table_label, lo.server_name)
                                           order by lo.created_at, lo.id) from live_orders lo), '[]'),
      'items', coalesce((select jsonb_agg(plater_private.server_item(i) order by i.created_at, i.id)
                           from public.order_items i join live_orders lo on lo.id = i.order_id), '[]'),
      'tables', coalesce((select jsonb_agg(plater_private.floor_table(d) order by d.label)
                            from public.dining_tables d where d.server_id = t.scope), '[]'))
    when 'floor' then jsonb_build_object(
      'tables', coalesce((select jsonb_agg(plater_private.floor_table(d) order by d.label)
                            from public.dining_tables d where d.restaurant_id = t.restaurant), '[]'))
    when 'admin' then jsonb_build_object(
      'orders', coalesce((select jsonb_agg(plater_private.admin_row('order', lo.id, (lo.row).version,
                                                                 to_jsonb(lo.row)) order by lo.created_at, lo.id)
                            from live_orders lo), '[]'),
      'items', coalesce((select jsonb_agg(plater_private.admin_row('item', i.id, i.version, to_jsonb(i))
                                          order by i.created_at, i.id)
                           from public.order_items i join live_orders lo on lo.id = i.order_id), '[]'),
      'tables', coalesce((select jsonb_agg(plater_private.admin_row('table', d.id, d.version, to_jsonb(d))
                                           order by d.label)
                            from public.dining_tables d where d.restaurant_id = t.restaurant), '[]'))
    else '{}'::jsonb
  end
  from t
$$;

-- {topic, seq, data}: what a screen subscribed to `topic` needs to render from cold.
create function public.topic_snapshot(topic text) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  perform plater_private.require_topic_reader(topic);
  -- one statement: seq and rows from the same MVCC snapshot
  return (select jsonb_build_object('topic', topic, 'seq', plater_private.topic_head(topic),
                                    'data', plater_private.snapshot_rows(topic)));
end;
$$;

-- Events after `after_seq`, oldest first, at most `max_events`. Answers {status:'refetch'} when the log no
-- longer reaches back that far (pruned) or the client is ahead of the topic (the database was reset).
create function public.topic_events(topic text, after_seq bigint, max_events int default 500) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  head bigint;
  pruned_through bigint;
  events jsonb;
begin
  perform plater_private.require_topic_reader(topic);
  if after_seq is null or after_seq < 0 or max_events is null or max_events not between 1 and 5000 then
    perform plater_private.fail('PT400', 'after_seq must be >= 0 and max_events between 1 and 5000');
  end if;
  head := plater_private.topic_head(topic);
  pruned_through := coalesce((select r.pruned_through from plater_private.topic_retention r
                               where r.topic = topic_events.topic), 0);
  if after_seq < pruned_through or after_seq > head then
    return jsonb_build_object('status', 'refetch', 'topic', topic, 'last_seq', head,
      'reason', case when after_seq > head then 'ahead_of_topic' else 'beyond_retention' end);
  end if;
  select coalesce(jsonb_agg(jsonb_build_object('event', l.event, 'payload', l.payload) order by l.seq), '[]')
    into events
    from (select * from plater_private.topic_log l
           where l.topic = topic_events.topic and l.seq > after_seq
           order by l.seq limit max_events) l;
  return jsonb_build_object('status', 'ok', 'topic', topic, 'last_seq', head, 'events', events,
    'more', after_seq + jsonb_array_length(events) < head);
end;
$$;

revoke all on function public.topic_seq(text), public.topic_snapshot(text), public.topic_events(text, bigint, int)
  from public, anon;
grant execute on function public.topic_seq(text), public.topic_snapshot(text), public.topic_events(text, bigint, int)
  to authenticated, service_role;
revoke all on function plater_private.require_topic_reader(text), plater_private.topic_head(text),
  plater_private.topic_heads(text[]),
  plater_private.snapshot_rows(text) from public;
