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

-- A new epoch, for when the topic sequences went back without the database being re-created (a restored
-- backup): every client then refetches its snapshots instead of trusting a seq it saw before the restore.
create function plater_private.start_topic_epoch() returns uuid
language sql volatile security definer set search_path = ''
as $$
  update plater_private.topic_epoch set epoch = gen_random_uuid(), started_at = now() returning epoch
$$;
revoke all on function plater_private.start_topic_epoch() from public, anon, authenticated, service_role;
