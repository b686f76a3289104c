-- Supabase compatibility bootstrap for the local stack.
--
-- Creates what a hosted Supabase project already has and a plain Postgres lacks, so that our migrations run
-- unchanged here and there. It is applied before the migrations on every `plater start` / `reset`, must stay
-- idempotent, and is never a migration: the hosted platform owns these objects and migrations must not create them.
-- Definitions follow Supabase's own sources: the supabase/auth migrations (auth schema, auth.uid()/jwt()) and the
-- supabase/realtime tenant migrations (realtime.messages, realtime.send, realtime.topic(), the publication).

-- ---------------------------------------------------------------------------------------------------------------
-- Roles (cluster-wide). Attributes as on hosted Supabase.
-- ---------------------------------------------------------------------------------------------------------------
do $$
declare
  spec record;
begin
  for spec in
    select * from (values
      ('anon',                    'nologin noinherit'),
      ('authenticated',           'nologin noinherit'),
      ('service_role',            'nologin noinherit bypassrls'),
      ('authenticator',           'login noinherit'),
      ('supabase_admin',          'nologin'),
      ('supabase_realtime_admin', 'nologin noinherit')
    ) as roles(name, attributes)
  loop
    if not exists (select from pg_roles where rolname = spec.name) then
      execute format('create role %I %s', spec.name, spec.attributes);
    end if;
  end loop;
end
$$;

-- PostgREST and Realtime connect as `authenticator` and switch to the caller's role.
grant anon, authenticated, service_role to authenticator;

-- ---------------------------------------------------------------------------------------------------------------
-- Extensions live in their own schema, which is on the database's search_path (as on hosted).
-- ---------------------------------------------------------------------------------------------------------------
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;
-- Also for this session: the database default applies to new connections only.
set search_path = "$user", public, extensions;

-- ---------------------------------------------------------------------------------------------------------------
-- public: API roles may use it, and get every privilege on new objects by default, as on hosted Supabase.
-- Row level security, not missing grants, is what protects the data.
-- ---------------------------------------------------------------------------------------------------------------
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------------
-- auth: a minimal stand-in for Supabase Auth's schema. Only what the stack (dev auth, `plater token`) and our
-- migrations (foreign keys to auth.users, auth.uid() in policies) use. The dev auth keeps its sessions and refresh
-- tokens in its own schema (stack/auth/schema.ts).
-- ---------------------------------------------------------------------------------------------------------------
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id                 uuid        primary key default gen_random_uuid(),
  email              text        unique,
  encrypted_password text,
  email_confirmed_at timestamptz,
  raw_app_meta_data  jsonb       default '{}'::jsonb,
  raw_user_meta_data jsonb       default '{}'::jsonb,
  role               text        default 'authenticated',
  aud                text        default 'authenticated',
  created_at         timestamptz default now(),
  updated_at         timestamptz default now(),
  last_sign_in_at    timestamptz
);

-- The claim helpers exactly as Supabase Auth defines them (migrations 20220224000811 and 20220531120530):
-- the API sets `request.jwt.claims` (and, in older PostgREST, `request.jwt.claim.*`) per transaction.
create or replace function auth.uid()
returns uuid
language sql stable
as $$
  select
  	coalesce(
		nullif(current_setting('request.jwt.claim.sub', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
	)::uuid
$$;

create or replace function auth.role()
returns text
language sql stable
as $$
  select
  	coalesce(
		nullif(current_setting('request.jwt.claim.role', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
	)::text
$$;

create or replace function auth.email()
returns text
language sql stable
as $$
  select
  	coalesce(
		nullif(current_setting('request.jwt.claim.email', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
	)::text
$$;

create or replace function auth.jwt()
returns jsonb
language sql stable
as $$
  select
    coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

-- ---------------------------------------------------------------------------------------------------------------
-- realtime: Broadcast from Database, as the Supabase Realtime server defines it in each project
-- (priv/repo/tenant_schema/realtime/tables/messages.sql and functions/*.sql).
-- ---------------------------------------------------------------------------------------------------------------
create schema if not exists realtime;
grant usage on schema realtime to postgres, anon, authenticated, service_role;

-- Daily partitions (realtime.messages_YYYY_MM_DD) are created and dropped by the stack's janitor
-- (stack/janitor.ts), as the Realtime server does: no default partition, so an insert without a partition fails.
create table if not exists realtime.messages (
  topic          text      not null,
  extension      text      not null,
  payload        jsonb,
  event          text,
  private        boolean   default false,
  updated_at     timestamp not null default timezone('utc'::text, now()),
  inserted_at    timestamp not null default timezone('utc'::text, now()),
  id             uuid      not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_pkey primary key (id, inserted_at)
) partition by range (inserted_at);

do $$
begin
  if not exists (
    select from pg_constraint
    where conrelid = 'realtime.messages'::regclass and conname = 'messages_payload_exclusive'
  ) then
    alter table realtime.messages
      add constraint messages_payload_exclusive check (payload is null or binary_payload is null) not valid;
  end if;
end
$$;

-- The replay index (broadcast replay reads recent private broadcasts of a topic).
create index if not exists messages_inserted_at_topic_index on only realtime.messages
  using btree (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

alter table realtime.messages enable row level security;
alter table realtime.messages owner to supabase_realtime_admin;
grant insert, select, update on table realtime.messages to anon, authenticated, service_role;

create or replace function realtime.topic()
returns text
language sql stable
as $$
select nullif(current_setting('realtime.topic', true), '')::text;
$$;

create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
DECLARE
  generated_id uuid;
  final_payload jsonb;
BEGIN
  BEGIN
    generated_id := gen_random_uuid();

    -- Check if payload has an 'id' key, if not, add the generated UUID
    IF payload ? 'id' THEN
      final_payload := payload;
    ELSE
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    END IF;

    -- Set the topic configuration
    EXECUTE format('SET LOCAL realtime.topic TO %L', topic);

    INSERT INTO realtime.messages (id, payload, event, topic, private, extension)
    VALUES (generated_id, final_payload, event, topic, private, 'broadcast');
  EXCEPTION
    WHEN OTHERS THEN
      RAISE WARNING 'WarnSendingBroadcastMessage: %', SQLERRM;
  END;
END;
$$;

create or replace function realtime.send_binary(payload bytea, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
DECLARE
  generated_id uuid;
BEGIN
  BEGIN
    generated_id := gen_random_uuid();

    EXECUTE format('SET LOCAL realtime.topic TO %L', topic);

    INSERT INTO realtime.messages (id, binary_payload, event, topic, private, extension)
    VALUES (generated_id, payload, event, topic, private, 'broadcast');
  EXCEPTION
    WHEN OTHERS THEN
      RAISE WARNING 'WarnSendingBroadcastMessage: %', SQLERRM;
  END;
END;
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'::text
)
returns void
language plpgsql
as $$
DECLARE
    -- Declare a variable to hold the JSONB representation of the row
    row_data jsonb := '{}'::jsonb;
BEGIN
    IF level = 'STATEMENT' THEN
        RAISE EXCEPTION 'function can only be triggered for each row, not for each statement';
    END IF;
    -- Check the operation type and handle accordingly
    IF operation = 'INSERT' OR operation = 'UPDATE' OR operation = 'DELETE' THEN
        row_data := jsonb_build_object('old_record', OLD, 'record', NEW, 'operation', operation, 'table', table_name, 'schema', table_schema);
        PERFORM realtime.send (row_data, event_name, topic_name);
    ELSE
        RAISE EXCEPTION 'Unexpected operation type: %', operation;
    END IF;
EXCEPTION
    WHEN OTHERS THEN
        RAISE EXCEPTION 'Failed to process the row: %', SQLERRM;
END;

$$;

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.send_binary(bytea, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  owner to supabase_realtime_admin;

-- ---------------------------------------------------------------------------------------------------------------
-- Publications. The Realtime server streams realtime.messages through its own publication (partition names, not
-- the root, appear in the stream: no publish_via_partition_root). `supabase_realtime` is the project's Postgres
-- Changes publication, empty on a new project.
-- ---------------------------------------------------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime_messages_publication') then
    create publication supabase_realtime_messages_publication for table realtime.messages;
  end if;
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
