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
-- Rows arrive in created_at order, so the retention scan's index is a BRIN (a btree cost every message an update).
create index topic_log_created_at_idx on plater_private.topic_log using brin (created_at);

alter table plater_private.topic_seq enable row level security;
alter table plater_private.topic_log enable row level security;
revoke all on plater_private.topic_seq, plater_private.topic_log from public, anon, authenticated;

create function plater_private.lock_restaurant(restaurant uuid)
returns void
language sql
as $$ select pg_advisory_xact_lock(hashtextextended('plater:restaurant:' || restaurant::text, 0)) $$;

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
