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

create function plater_private.can_read_topic(topic text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  with parts as (
    select split_part(topic, ':', 1) as kind,
           split_part(topic, ':', 2) as restaurant,
           split_part(topic, ':', 3) as scope,
           array_length(string_to_array(topic, ':'), 1) as n
  )
  select coalesce((
    select case p.kind
             when 'kds' then p.n = 3
                  and exists (select 1 from public.stations st
                              where st.id::text = p.scope and st.restaurant_id = s.restaurant_id)
                  and (s.role in ('expo', 'manager') or (s.role = 'cook' and s.station_id::text = p.scope))
             when 'expo' then p.n = 2 and s.role in ('expo', 'manager')
             when 'server' then p.n = 3
                  and ((s.role = 'server' and s.user_id::text = p.scope)
                       or (s.role = 'manager'
                           and exists (select 1 from public.staff x
                                       where x.user_id::text = p.scope and x.restaurant_id = s.restaurant_id
                                         and x.role in ('server', 'manager'))))
             when 'floor' then p.n = 2 and s.role in ('server', 'expo', 'manager')
             when 'admin' then p.n = 2 and s.role = 'manager'
             when 'crew' then p.n = 2
             else false
           end
      from parts p
      join public.staff s on s.user_id = auth.uid() and s.active and s.restaurant_id::text = p.restaurant
  ), false)
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
