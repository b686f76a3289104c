-- Shared foundation: the private schema, domain enums and the coded-error helper every write path uses.
-- Supabase-owned objects (auth, realtime, roles) are NOT created here: hosted Supabase has them, and the
-- local stack's bootstrap provides them before migrations run.

create schema if not exists plater_private;
-- Policies call a few helpers in here, so API roles need to resolve names in the schema; tables stay ungranted.
grant usage on schema plater_private to anon, authenticated, service_role;

create type public.staff_role as enum ('server', 'cook', 'expo', 'manager');
create type public.order_status as enum ('open', 'ready', 'served', 'closed', 'cancelled');
create type public.item_status as enum ('held', 'pending', 'preparing', 'ready', 'served', 'void');
create type public.table_status as enum ('free', 'seated');

-- One place that raises the project's coded errors (SQLSTATE class PT, see docs/architecture.md), so the
-- functions layer can map them to HTTP without parsing messages.
create function plater_private.fail(code text, message text, detail jsonb default null)
returns void
language plpgsql
as $$
begin
  if detail is null then
    raise exception using errcode = code, message = message;
  end if;
  raise exception using errcode = code, message = message, detail = detail::text;
end;
$$;

-- Milliseconds since the epoch: the `ts` of every envelope and the unit clients compare against.
create function plater_private.epoch_ms(at timestamptz default clock_timestamp())
returns bigint
language sql
stable
as $$ select (extract(epoch from at) * 1000)::bigint $$;

-- Rows that clients cache carry a version; every update bumps it so a stale write can be detected.
create function plater_private.bump_version()
returns trigger
language plpgsql
as $$
begin
  new.version := old.version + 1;
  new.updated_at := now();
  return new;
end;
$$;
