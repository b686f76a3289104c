import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { applySupabaseCompat } from '../../stack/bootstrap/apply.ts'
import { inRolledBackTransaction } from './helpers/rollback.ts'
import { testStack } from '../helpers/stack-env.ts'

const { dbUrl } = testStack()
const sql = postgres(dbUrl, { max: 2, onnotice: () => {} })
afterAll(() => sql.end())

describe('the Supabase-compat bootstrap', () => {
  it('creates the API roles with the attributes hosted Supabase gives them', async () => {
    const roles = await sql<{ rolname: string; rolcanlogin: boolean; rolbypassrls: boolean }[]>`
      select rolname, rolcanlogin, rolbypassrls from pg_roles
      where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin', 'supabase_realtime_admin')
      order by rolname`
    expect(roles).toEqual([
      { rolname: 'anon', rolcanlogin: false, rolbypassrls: false },
      { rolname: 'authenticated', rolcanlogin: false, rolbypassrls: false },
      { rolname: 'authenticator', rolcanlogin: true, rolbypassrls: false },
      { rolname: 'service_role', rolcanlogin: false, rolbypassrls: true },
      { rolname: 'supabase_admin', rolcanlogin: false, rolbypassrls: false },
      { rolname: 'supabase_realtime_admin', rolcanlogin: false, rolbypassrls: false },
    ])
  })

  it('puts pgcrypto and uuid-ossp in the extensions schema, which new sessions have on their search_path', async () => {
    const [setting] = await sql<{ search_path: string }[]>`show search_path`
    expect(setting?.search_path).toBe('"$user", public, extensions')
    const extensions = await sql`
      select e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname in ('pgcrypto', 'uuid-ossp') order by e.extname`
    expect(extensions).toEqual([
      { extname: 'pgcrypto', nspname: 'extensions' },
      { extname: 'uuid-ossp', nspname: 'extensions' },
    ])
    const [usable] =
      await sql`select crypt('pw', gen_salt('bf', 4)) is not null and uuid_generate_v4() is not null as ok`
    expect(usable).toEqual({ ok: true })
  })

  it('grants API roles every privilege on new public tables by default, leaving protection to RLS', async () => {
    const granted = await inRolledBackTransaction(sql, async (tx) => {
      await tx`create table public.plater_stack_probe (id int)`
      return tx`
        select r as role, has_table_privilege(r, 'public.plater_stack_probe', 'select, insert, update, delete') as all
        from unnest(array['anon', 'authenticated', 'service_role']) as r`
    })
    expect(granted).toEqual([
      { role: 'anon', all: true },
      { role: 'authenticated', all: true },
      { role: 'service_role', all: true },
    ])
  })

  it('reads the caller from request.jwt.claims in auth.uid(), auth.role(), auth.email() and auth.jwt()', async () => {
    const claims = {
      sub: '00000000-0000-4000-8000-0000000000aa',
      role: 'authenticated',
      email: 'who@plater.test',
    }
    const [row] = await inRolledBackTransaction(sql, async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`
      return tx`select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'sub' as jwt_sub`
    })
    expect(row).toEqual({ uid: claims.sub, role: 'authenticated', email: claims.email, jwt_sub: claims.sub })
    const [anonymous] = await sql`select auth.uid() as uid, auth.jwt() as jwt`
    expect(anonymous).toEqual({ uid: null, jwt: null })
  })

  it('has realtime.messages as Supabase defines it: partitioned by day, RLS on, owned by supabase_realtime_admin', async () => {
    const [table] = await sql`
      select c.relkind, c.relrowsecurity, pg_get_userbyid(c.relowner) as owner,
             pg_get_partkeydef(c.oid) as partition_key
      from pg_class c where c.oid = 'realtime.messages'::regclass`
    expect(table).toEqual({
      relkind: 'p',
      relrowsecurity: true,
      owner: 'supabase_realtime_admin',
      partition_key: 'RANGE (inserted_at)',
    })
    const columns = await sql`
      select column_name, data_type from information_schema.columns
      where table_schema = 'realtime' and table_name = 'messages' order by ordinal_position`
    expect(columns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'topic text',
      'extension text',
      'payload jsonb',
      'event text',
      'private boolean',
      'updated_at timestamp without time zone',
      'inserted_at timestamp without time zone',
      'id uuid',
      'binary_payload bytea',
    ])
    const [check] = await sql`
      select convalidated from pg_constraint
      where conrelid = 'realtime.messages'::regclass and conname = 'messages_payload_exclusive'`
    expect(check).toEqual({ convalidated: false })
  })

  it('has daily partitions from yesterday to today+3 (UTC)', async () => {
    const partitions = (
      await sql<{ name: string }[]>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'realtime.messages'::regclass`
    ).map((row) => row.name)
    const day = 24 * 3600 * 1000
    for (let offset = -1; offset <= 3; offset++) {
      const date = new Date(Date.now() + offset * day).toISOString().slice(0, 10).replaceAll('-', '_')
      expect(partitions).toContain(`messages_${date}`)
    }
  })

  it('realtime.send stores a private broadcast with the id injected into the payload and sets realtime.topic', async () => {
    const [row] = await inRolledBackTransaction(sql, async (tx) => {
      await tx`select realtime.send('{"n": 1}'::jsonb, 'ev', 'room:compat', true)`
      return tx`
        select m.extension, m.event, m.private, m.payload, m.id::text as id, realtime.topic() as topic
        from realtime.messages m where m.topic = 'room:compat'`
    })
    expect(row).toMatchObject({ extension: 'broadcast', event: 'ev', private: true, topic: 'room:compat' })
    expect(row!.payload).toEqual({ n: 1, id: row!.id })
  })

  it('realtime.send_binary stores binary_payload, and realtime.broadcast_changes the record shape clients get', async () => {
    const rows = await inRolledBackTransaction(sql, async (tx) => {
      await tx`select realtime.send_binary('\\x0102'::bytea, 'bin', 'room:compat-bin', false)`
      await tx`create temporary table probe (id int, label text) on commit drop`
      await tx`
        select realtime.broadcast_changes('room:compat-changes', 'INSERT', 'INSERT', 'probe', 'pg_temp',
                                          row(7, 'seven')::probe, null::probe)`
      return tx`
        select topic, private, payload, binary_payload from realtime.messages
        where topic in ('room:compat-bin', 'room:compat-changes') order by topic`
    })
    expect(rows[0]).toMatchObject({ topic: 'room:compat-bin', private: false, payload: null })
    expect(Buffer.from(rows[0]!.binary_payload)).toEqual(Buffer.from([1, 2]))
    expect(rows[1]).toMatchObject({ topic: 'room:compat-changes', private: true })
    expect(rows[1]!.payload).toMatchObject({
      record: { id: 7, label: 'seven' },
      old_record: null,
      operation: 'INSERT',
      table: 'probe',
      schema: 'pg_temp',
    })
  })

  it('publishes realtime.messages (by partition, not root) and has an empty supabase_realtime publication', async () => {
    const publications = await sql`
      select p.pubname, p.pubviaroot, array(select tablename::text from pg_publication_tables t
                                           where t.pubname = p.pubname and t.tablename = 'messages') as tables
      from pg_publication p
      where p.pubname in ('supabase_realtime', 'supabase_realtime_messages_publication') order by p.pubname`
    expect(publications).toEqual([
      { pubname: 'supabase_realtime', pubviaroot: false, tables: [] },
      { pubname: 'supabase_realtime_messages_publication', pubviaroot: false, tables: [] },
    ])
    const [membership] = await sql`
      select count(*)::int as count from pg_publication_rel r join pg_publication p on p.oid = r.prpubid
      where p.pubname = 'supabase_realtime_messages_publication' and r.prrelid = 'realtime.messages'::regclass`
    expect(membership).toEqual({ count: 1 })
  })

  it('is idempotent: applying it again to a migrated database changes nothing that breaks', async () => {
    await expect(applySupabaseCompat(dbUrl)).resolves.toBeUndefined()
    const [present] = await sql`select to_regclass('realtime.messages') is not null as ok`
    expect(present).toEqual({ ok: true })
  })
})
