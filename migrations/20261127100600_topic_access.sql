-- Who may join which topic. One predicate serves the realtime.messages policies (what Supabase Realtime
-- probes at join and on token refresh) and the snapshot/catch-up RPCs, so the socket and HTTP paths can
-- never disagree.
--
--   kds:{restaurant}:{station}   cooks of that station, expo, manager
--   expo:{restaurant}            expo, manager
--   server:{restaurant}:{staff}  that server, manager
--   floor:{restaurant}           servers, expo, manager
--   admin:{restaurant}           manager
--   crew:{restaurant}            every staff member (the one topic clients broadcast on)

-- plpgsql for its cached plans: this runs on every join probe, snapshot and catch-up request.
create function plater_private.can_read_topic(topic text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  kind text := split_part(topic, ':', 1);
  restaurant text := split_part(topic, ':', 2);
  scope text := split_part(topic, ':', 3);
  parts int := array_length(string_to_array(topic, ':'), 1);
  me public.staff;
begin
  select s.* into me from public.staff s
   where s.user_id = auth.uid() and s.active and s.restaurant_id::text = restaurant;
  if me.user_id is null then
    return false;
  end if;
  return case kind
    when 'kds' then parts = 3
         and exists (select 1 from public.stations st where st.id::text = scope and st.restaurant_id = me.restaurant_id)
         and (me.role in ('expo', 'manager') or (me.role = 'cook' and me.station_id::text = scope))
    when 'expo' then parts = 2 and me.role in ('expo', 'manager')
    when 'server' then parts = 3
         and ((me.role = 'server' and me.user_id::text = scope)
              or (me.role = 'manager'
                  and exists (select 1 from public.staff x
                              where x.user_id::text = scope and x.restaurant_id = me.restaurant_id
                                and x.role in ('server', 'manager'))))
    when 'floor' then parts = 2 and me.role in ('server', 'expo', 'manager')
    when 'admin' then parts = 2 and me.role = 'manager'
    when 'crew' then parts = 2
    else false
  end;
end;
$$;

-- Clients may track presence where they may read; broadcasts from clients only on the crew topic.
-- Everything else on the domain topics is published by the database alone.
create function plater_private.can_write_topic(topic text, extension text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select plater_private.can_read_topic(topic)
         and (extension = 'presence' or split_part(topic, ':', 1) = 'crew')
$$;

revoke all on function plater_private.can_read_topic(text), plater_private.can_write_topic(text, text) from public;
grant execute on function plater_private.can_read_topic(text), plater_private.can_write_topic(text, text)
  to authenticated;

create policy "plater staff receive their topics" on realtime.messages for select to authenticated
  using (plater_private.can_read_topic((select realtime.topic())));

create policy "plater staff write where clients may" on realtime.messages for insert to authenticated
  with check (plater_private.can_write_topic((select realtime.topic()), extension));
