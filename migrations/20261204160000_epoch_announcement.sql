-- A new topic epoch reaches live clients at once. Without this a client learns that the database started over
-- (`plater reset`, a restore) only from the next message on each topic, and shows the old database until then.
-- `announce_topic_epoch()` broadcasts `epoch_changed {epoch}` on every topic a client can hold (not logged: it
-- carries no seq); a client holding another epoch reloads the topic's snapshot (client/README.md). It is a plain
-- `realtime.send`, so it works the same on hosted Supabase.
--
-- * A restore keeps the database: `select plater_private.start_topic_epoch()` (docs/deploy.md) now announces.
-- * A reset re-creates the database, so the gateway streams the new one only once its replication slot is back:
--   `plater reset` waits for that, then calls `announce_topic_epoch()` (stack/commands/reset.ts). On hosted
--   Supabase run `select plater_private.announce_topic_epoch()` after `supabase db reset`.

create function plater_private.announce_topic_epoch() returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  current_epoch uuid := (select e.epoch from plater_private.topic_epoch e);
  topic text;
  told integer := 0;
begin
  for topic in
    select format('%s:%s', kind, r.id) from public.restaurants r cross join unnest(array['expo', 'floor', 'admin']) kind
    union all
    select format('kds:%s:%s', s.restaurant_id, s.id) from public.stations s
    union all
    select format('server:%s:%s', st.restaurant_id, st.user_id) from public.staff st
  loop
    perform realtime.send(jsonb_build_object('epoch', current_epoch), 'epoch_changed', topic, true);
    told := told + 1;
  end loop;
  return told;
end;
$$;
revoke all on function plater_private.announce_topic_epoch() from public, anon, authenticated, service_role;

-- Same contract as before (a new epoch, returned), and now every live client hears of it.
create or replace function plater_private.start_topic_epoch() returns uuid
language plpgsql volatile security definer set search_path = ''
as $$
declare
  started uuid;
begin
  update plater_private.topic_epoch set epoch = gen_random_uuid(), started_at = now() returning epoch into started;
  perform plater_private.announce_topic_epoch();
  return started;
end;
$$;
revoke all on function plater_private.start_topic_epoch() from public, anon, authenticated, service_role;
