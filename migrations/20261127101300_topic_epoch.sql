-- The topic epoch: one uuid for the database's topic sequences. A topic's `seq` is only meaningful together
-- with the epoch it was assigned in: when the sequences start over — the database is re-created
-- (`plater reset`, `supabase db reset`: this migration runs again and draws a new uuid) or restored from a
-- backup (run `select plater_private.start_topic_epoch()` afterwards, docs/deploy.md) — the same seq can name
-- different data. Snapshots and catch-up answer the epoch with the seq, the snapshot ETag includes it, and
-- catch-up refuses to continue from a seq of another epoch, so neither a client nor the snapshot cache can
-- mistake new data for what it holds.

create table plater_private.topic_epoch (
  singleton boolean primary key default true check (singleton),
  epoch uuid not null default gen_random_uuid(),
  started_at timestamptz not null default now()
);
alter table plater_private.topic_epoch enable row level security;
revoke all on plater_private.topic_epoch from public, anon, authenticated;
insert into plater_private.topic_epoch default values;

-- Read on every snapshot revalidation and catch-up (in the same statement as the seq): plpgsql keeps its plan.
-- Not secret, but staff-facing: signed-in users and the service key, not the anon key.
create function public.topic_epoch() returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select e.epoch from plater_private.topic_epoch e);
end;
$$;
revoke all on function public.topic_epoch() from public, anon;
grant execute on function public.topic_epoch() to authenticated, service_role;


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

-- A new epoch, for when the topic sequences went back without the database being re-created (a restored
-- backup): every client then refetches its snapshots instead of trusting a seq it saw before the restore, and
-- every live client hears of it at once.
create function plater_private.start_topic_epoch() returns uuid
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
