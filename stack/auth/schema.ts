import type { Sql } from 'postgres'

/**
 * The dev auth's own state: sessions and opaque refresh tokens (stored as SHA-256 hashes). Created with the
 * Supabase-compat objects whenever the stack prepares a database (start, reset) — never a migration: hosted
 * Supabase has GoTrue and its own `auth.sessions`. The schema is not granted to any API role.
 */
export const AUTH_SCHEMA = 'plater_stack_auth'

export async function ensureAuthSchema(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    // Two stacks on one database must not race on the DDL.
    await tx`select pg_advisory_xact_lock(hashtextextended('plater:stack-auth:schema', 0))`
    await tx.unsafe(`
      create schema if not exists ${AUTH_SCHEMA};
      revoke all on schema ${AUTH_SCHEMA} from public;
      create table if not exists ${AUTH_SCHEMA}.sessions (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references auth.users (id) on delete cascade,
        created_at timestamptz not null default now(),
        refreshed_at timestamptz,
        user_agent text
      );
      create index if not exists sessions_user_id_idx on ${AUTH_SCHEMA}.sessions (user_id);
      create table if not exists ${AUTH_SCHEMA}.refresh_tokens (
        token_hash text primary key,
        session_id uuid not null references ${AUTH_SCHEMA}.sessions (id) on delete cascade,
        parent_hash text,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      );
      create index if not exists refresh_tokens_session_idx on ${AUTH_SCHEMA}.refresh_tokens (session_id);
    `)
  })
}

/** Drops refresh tokens revoked long ago and sessions idle for 30 days. */
export async function pruneAuthState(sql: Sql): Promise<void> {
  await sql.unsafe(`
    delete from ${AUTH_SCHEMA}.refresh_tokens where revoked_at < now() - interval '1 day';
    delete from ${AUTH_SCHEMA}.sessions where coalesce(refreshed_at, created_at) < now() - interval '30 days';
  `)
}
