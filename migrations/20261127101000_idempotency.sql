-- Idempotency keys for the mutation functions (Idempotency-Key header, per user). The first request with a
-- key inserts an in-flight row inside its own transaction; a concurrent retry blocks on that row's unique
-- key and then sees the stored result, so a retried mutation is never applied twice.
-- Retention: 24 hours (plater_private.prune_idempotency_keys, run by the janitor / pg_cron).

create table plater_private.idempotency_keys (
  user_id uuid not null,
  key text not null check (length(key) between 1 and 255),
  request_hash text not null,
  status_code int,
  response jsonb,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (user_id, key)
);
create index idempotency_keys_created_at_idx on plater_private.idempotency_keys (created_at);
alter table plater_private.idempotency_keys enable row level security;
revoke all on plater_private.idempotency_keys from public, anon, authenticated;

create function plater_private.prune_idempotency_keys(keep interval default interval '24 hours')
returns bigint
language sql
security definer
set search_path = ''
as $$
  with gone as (delete from plater_private.idempotency_keys where created_at < now() - keep returning 1)
  select count(*) from gone
$$;
revoke all on function plater_private.prune_idempotency_keys(interval) from public;
