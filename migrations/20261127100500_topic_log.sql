-- Per-topic sequence numbers and the topic log that catch-up reads.
--
-- `seq` is allocated from a counter row that stays locked until the writing transaction ends, so on one topic
-- seq order is commit order and a rolled-back write leaves no gap: a client that sees seq n+1 after n knows
-- it missed nothing. Writers first take their restaurant's advisory lock (RPCs do it before touching any
-- row, the publishing triggers again), so counter rows are never locked in conflicting orders.
--
-- Retention: the log keeps 24 hours (plater_private.prune_topic_log, run hourly by the stack's janitor and,
-- on hosted Supabase, by pg_cron — see docs/deploy.md). Older than that, catch-up answers "refetch".

create table plater_private.topic_seq (
  topic text primary key,
  last_seq bigint not null,
  -- highest seq removed by pruning; catch-up from below it cannot be complete
  pruned_through bigint not null default 0
);

create table plater_private.topic_log (
  topic text not null,
  seq bigint not null,
  event text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  primary key (topic, seq)
);
create index topic_log_created_at_idx on plater_private.topic_log (created_at);

alter table plater_private.topic_seq enable row level security;
alter table plater_private.topic_log enable row level security;
revoke all on plater_private.topic_seq, plater_private.topic_log from public, anon, authenticated;

create function plater_private.lock_restaurant(restaurant uuid)
returns void
language sql
as $$ select pg_advisory_xact_lock(hashtextextended('plater:restaurant:' || restaurant::text, 0)) $$;

-- Stamp the envelope (seq, ts), keep it in the topic log and hand it to Supabase Realtime.
-- realtime.send never raises (Supabase swallows its errors into a WARNING), so the log is what guarantees
-- a client can still recover a message whose broadcast was lost.
create function plater_private.publish(restaurant uuid, topic text, event text, body jsonb)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  next_seq bigint;
  envelope jsonb;
begin
  perform plater_private.lock_restaurant(restaurant);
  insert into plater_private.topic_seq as s (topic, last_seq) values (publish.topic, 1)
  on conflict on constraint topic_seq_pkey do update set last_seq = s.last_seq + 1
  returning s.last_seq into next_seq;

  envelope := jsonb_build_object('seq', next_seq, 'ts', plater_private.epoch_ms()) || body;
  insert into plater_private.topic_log (topic, seq, event, payload)
  values (publish.topic, next_seq, publish.event, envelope);
  perform realtime.send(envelope, publish.event, publish.topic, true);
  return next_seq;
end;
$$;
revoke all on function plater_private.publish(uuid, text, text, jsonb) from public;

create function plater_private.prune_topic_log(keep interval default interval '24 hours')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  removed bigint;
begin
  with gone as (
    delete from plater_private.topic_log where created_at < now() - keep returning topic, seq
  ), highest as (
    select topic, max(seq) as seq, count(*) as n from gone group by topic
  ), marked as (
    update plater_private.topic_seq s set pruned_through = greatest(s.pruned_through, h.seq)
      from highest h where s.topic = h.topic
    returning h.n
  )
  select coalesce(sum(n), 0) into removed from marked;
  return removed;
end;
$$;
revoke all on function plater_private.prune_topic_log(interval) from public;
