-- Per-topic sequence numbers and the topic log that catch-up reads.
--
-- A topic's next `seq` is one past the highest in its topic log, read under the restaurant's advisory lock that
-- every publisher holds until its transaction ends (RPCs take it before touching any row, publish_many again),
-- so on one topic seq order is commit order and a rolled-back write leaves no gap: a client that sees seq n+1
-- after n knows it missed nothing. The log's primary key refuses a seq given twice. There is no counter row to
-- update per message (docs/decisions.md, 2026-12-05).
--
-- Retention: the log keeps 24 hours (plater_private.prune_topic_log, run hourly by the stack's janitor and,
-- on hosted Supabase, by pg_cron — see docs/deploy.md). Older than that, catch-up answers "refetch".

-- Highest seq pruning removed per topic: catch-up from below it cannot be complete, and a topic whose log was
-- pruned empty continues after it.
create table plater_private.topic_retention (
  topic text primary key,
  pruned_through bigint not null
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

alter table plater_private.topic_retention enable row level security;
alter table plater_private.topic_log enable row level security;
revoke all on plater_private.topic_retention, plater_private.topic_log from public, anon, authenticated;

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
    insert into plater_private.topic_retention as r (topic, pruned_through)
    select h.topic, h.seq from highest h order by h.topic
    on conflict on constraint topic_retention_pkey
      do update set pruned_through = greatest(r.pruned_through, excluded.pruned_through)
  )
  select coalesce(sum(n), 0) into removed from highest;
  return removed;
end;
$$;
revoke all on function plater_private.prune_topic_log(interval) from public;
