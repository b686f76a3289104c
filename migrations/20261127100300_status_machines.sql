-- The status machines, enforced where every writer must pass: BEFORE UPDATE triggers. An illegal move raises
-- PT422 whatever path the write took (RPC, SQL console, a future function).
--
--   item:  held ⇄ pending → preparing → ready → served
--                  pending → ready (bumped without being started)
--                  ready → preparing (recall)
--          held | pending | preparing | ready → void
--   order: open ⇄ ready ⇄ served (derived from the items), served → closed,
--          open | ready → cancelled while no item has been served
--   table: free ⇄ seated

-- STABLE, not IMMUTABLE: the rules compare statuses as text, and an enum's text form is STABLE (labels can be
-- renamed); an IMMUTABLE SQL function around it is never inlined, so it would be planned on every row checked.
create function plater_private.item_transition_allowed(from_status public.item_status, to_status public.item_status)
returns boolean
language sql
stable
as $$
  select (from_status::text || '>' || to_status::text) = any (array[
    'held>pending', 'pending>held',
    'pending>preparing', 'pending>ready', 'preparing>ready',
    'ready>preparing', 'ready>served',
    'held>void', 'pending>void', 'preparing>void', 'ready>void'
  ])
$$;

create function plater_private.order_transition_allowed(from_status public.order_status, to_status public.order_status)
returns boolean
language sql
stable
as $$
  select (from_status::text || '>' || to_status::text) = any (array[
    'open>ready', 'ready>open', 'ready>served', 'served>ready', 'open>served', 'served>open',
    'served>closed', 'open>cancelled', 'ready>cancelled'
  ])
$$;

create function plater_private.table_transition_allowed(from_status public.table_status, to_status public.table_status)
returns boolean
language sql
immutable
as $$ select from_status <> to_status $$;

-- Every refused move says the same thing in PT422's DETAIL: which row, from which status, to which. Called only on
-- the refusing path, so the per-row check pays nothing for it.
create function plater_private.refuse_transition(entity text, id uuid, from_status anyelement, to_status anyelement,
                                                 message text default null)
returns void
language plpgsql
as $$
begin
  perform plater_private.fail('PT422',
    coalesce(message, format('illegal %s transition: %s → %s', entity, from_status, to_status)),
    jsonb_build_object('entity', entity, 'id', id, 'from', from_status, 'to', to_status));
end;
$$;

create function plater_private.check_item_transition()
returns trigger
language plpgsql
as $$
begin
  -- served and void are terminal: not even a same-status update (a repeated void) may touch them
  if (new.status is distinct from old.status and not plater_private.item_transition_allowed(old.status, new.status))
     or (new.status = old.status and old.status in ('served', 'void')) then
    perform plater_private.refuse_transition('item', old.id, old.status, new.status);
  end if;
  return new;
end;
$$;

create function plater_private.check_order_transition()
returns trigger
language plpgsql
as $$
begin
  if new.status is not distinct from old.status and old.status not in ('closed', 'cancelled') then
    return new;
  end if;
  if new.status is not distinct from old.status
     or not plater_private.order_transition_allowed(old.status, new.status) then
    perform plater_private.refuse_transition('order', old.id, old.status, new.status);
  end if;
  if new.status = 'cancelled' and exists (
    select 1 from public.order_items where order_id = old.id and status = 'served'
  ) then
    perform plater_private.refuse_transition('order', old.id, old.status, new.status,
      'an order with served items cannot be cancelled; void the open items instead');
  end if;
  if new.status in ('closed', 'cancelled') then
    new.closed_at := now();
  end if;
  return new;
end;
$$;

create function plater_private.check_table_transition()
returns trigger
language plpgsql
as $$
begin
  if new.status is distinct from old.status
     and not plater_private.table_transition_allowed(old.status, new.status) then
    perform plater_private.refuse_transition('table', old.id, old.status, new.status);
  end if;
  if new.status = 'free' and exists (
    select 1 from public.orders where table_id = old.id and status in ('open', 'ready')
  ) then
    perform plater_private.refuse_transition('table', old.id, old.status, new.status,
      'a table with unserved orders cannot be cleared');
  end if;
  return new;
end;
$$;

create trigger order_items_check_transition before update on public.order_items
  for each row execute function plater_private.check_item_transition();
create trigger orders_check_transition before update on public.orders
  for each row execute function plater_private.check_order_transition();
create trigger dining_tables_check_transition before update of status on public.dining_tables
  for each row execute function plater_private.check_table_transition();

-- An order's kitchen state follows its items: ready when every live item is ready or served, served when
-- every live item is served. Terminal orders are left alone (cancel voids its items after the fact). Derived
-- once per statement, for every order whose items were inserted or changed status.
create function plater_private.derive_order_statuses()
returns trigger
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  touched uuid[];
  changed uuid[];
  statuses public.order_status[];
begin
  if tg_op = 'UPDATE' then
    touched := array(select distinct n.order_id from new_rows n join old_rows o on o.id = n.id
                      where n.status is distinct from o.status);
  else
    touched := array(select distinct n.order_id from new_rows n);
  end if;
  if cardinality(touched) = 0 then
    return null;
  end if;
  -- Most item moves leave their order's status as it is, so read first and update only what changes: an
  -- UPDATE that changes nothing still costs an executor start for a table with triggers and indexes. Every
  -- writer holds the restaurant's lock, so nothing changes an order in between (and the update re-checks).
  select array_agg(d.order_id), array_agg(d.derived) into changed, statuses
    from (select i.order_id,
                 case
                   when count(*) filter (where i.status <> 'void') = 0 then 'open'
                   when bool_and(i.status = 'served') filter (where i.status <> 'void') then 'served'
                   when bool_and(i.status in ('ready', 'served')) filter (where i.status <> 'void') then 'ready'
                   else 'open'
                 end::public.order_status as derived
            from public.order_items i
           where i.order_id = any (touched)
           group by i.order_id) d
    join public.orders o on o.id = d.order_id
   where o.status not in ('closed', 'cancelled')
     and o.status <> d.derived;
  if changed is null then
    return null;
  end if;
  update public.orders o
     set status = c.derived
    from unnest(changed, statuses) as c (order_id, derived)
   where o.id = c.order_id
     and o.status not in ('closed', 'cancelled')
     and o.status <> c.derived;
  return null;
end;
$$;

-- AFTER STATEMENT triggers fire in name order: these sort after order_items_publish_* (topic publishing), so an
-- item's event precedes the order event it causes. Transition tables allow one event per trigger, hence the pair.
create trigger order_items_rollup_inserted after insert on public.order_items
  referencing new table as new_rows for each statement execute function plater_private.derive_order_statuses();
create trigger order_items_rollup_updated after update on public.order_items
  referencing new table as new_rows old table as old_rows
  for each statement execute function plater_private.derive_order_statuses();

-- Append-only history of every status a row entered, with the acting user when there is one.
create function plater_private.record_status_history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  insert into public.status_history (restaurant_id, entity, entity_id, from_status, to_status, actor)
  values (new.restaurant_id, tg_argv[0], new.id,
          case when tg_op = 'UPDATE' then old.status::text end, new.status::text, auth.uid());
  return null;
end;
$$;

create trigger orders_history after insert or update of status on public.orders
  for each row execute function plater_private.record_status_history('order');
create trigger order_items_history after insert or update of status on public.order_items
  for each row execute function plater_private.record_status_history('item');
create trigger dining_tables_history after update of status on public.dining_tables
  for each row execute function plater_private.record_status_history('table');
