// The simulated restaurant's staff: who works there (read from the database, like `plater token`), each signed
// in through the stack's auth with their password, acting only through the edge functions with their own token.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { withDb } from '../db-connection.ts';
import type { CrewIds } from './simulate-plan.ts';

export interface StaffRow {
  user_id: string;
  email: string;
  role: 'server' | 'cook' | 'expo' | 'manager';
  station_id: string | null;
  display_name: string;
}

export interface Roster {
  restaurant: { id: string; name: string };
  stations: { id: string; slug: string; name: string }[];
  staff: StaffRow[];
}

/** The restaurant named by id or (case-insensitive) name, or the first by name; its stations and active staff. */
export function loadRoster(dbUrl: string, restaurant: string | undefined): Promise<Roster> {
  return withDb(dbUrl, 'simulate', async (sql) => {
    const [found] = await sql<{ id: string; name: string }[]>`
      select id, name from public.restaurants
       where ${restaurant ?? null}::text is null or id::text = ${restaurant ?? ''} or lower(name) = lower(${restaurant ?? ''})
       order by name, id limit 1`;
    if (!found) throw new Error(restaurant ? `no restaurant "${restaurant}" (give its id or name)` : 'the database has no restaurant');
    const stations = await sql<Roster['stations']>`
      select id, slug, name from public.stations where restaurant_id = ${found.id} order by slug`;
    const staff = await sql<StaffRow[]>`
      select s.user_id, u.email, s.role, s.station_id, s.display_name
        from public.staff s join auth.users u on u.id = s.user_id
       where s.restaurant_id = ${found.id} and s.active and u.email is not null
       order by s.role, s.display_name`;
    return { restaurant: found, stations: [...stations], staff: [...staff] };
  });
}

/**
 * Who plays which part. Servers seat and order (a manager stands in when there is none); expo fires, serves and
 * rushes (else a manager); each station's cook cooks, and expo covers a station without one — expo may work
 * every station.
 */
export function castCrew(roster: Roster): CrewIds & { manager: string } {
  const byRole = (role: StaffRow['role']) => roster.staff.filter((s) => s.role === role).map((s) => s.user_id);
  const manager = byRole('manager')[0];
  const expo = byRole('expo')[0] ?? manager;
  if (!manager || !expo) {
    throw new Error(`${roster.restaurant.name} needs an active manager (to watch the service) and expo or a manager`);
  }
  const servers = byRole('server').length > 0 ? byRole('server') : [manager];
  const cookOf: Record<string, string> = {};
  for (const station of roster.stations) {
    cookOf[station.id] = roster.staff.find((s) => s.role === 'cook' && s.station_id === station.id)?.user_id ?? expo;
  }
  return { servers, expo, cookOf, manager };
}

export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any -- the JSON answer of any route; callers cast it to the route's type
  body: any;
  etag: string | null;
}

/** One staff member, signed in; `request` calls a function as them. */
export class Member {
  private constructor(
    readonly row: StaffRow,
    private readonly client: SupabaseClient,
    private readonly apiUrl: string,
    private readonly anonKey: string,
  ) {}

  static async signIn(apiUrl: string, anonKey: string, row: StaffRow, password: string): Promise<Member> {
    const client = createClient(apiUrl, anonKey, {
      realtime: { transport: WebSocket as never },
      auth: { persistSession: false, autoRefreshToken: true },
    });
    const { error } = await client.auth.signInWithPassword({ email: row.email, password });
    if (error) throw new Error(`sign-in of ${row.email} failed: ${error.message}`);
    return new Member(row, client, apiUrl, anonKey);
  }

  get name(): string {
    return this.row.display_name;
  }

  /**
   * A function call with this member's current token. Mutations carry an Idempotency-Key, kept across the
   * retries of a network failure or a 503, so a retry can never apply twice.
   */
  async request(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const key = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const { data } = await this.client.auth.getSession();
      const token = data.session?.access_token;
      if (!token) throw new Error(`${this.row.email} has no session`);
      try {
        const res = await fetch(`${this.apiUrl}/functions/v1/${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            apikey: this.anonKey,
            ...(method === 'POST' ? { 'content-type': 'application/json', 'idempotency-key': key } : {}),
            ...headers,
          },
          body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
        });
        const text = await res.text();
        if (res.status === 503 && attempt < 3) {
          await sleep(250 * attempt);
          continue;
        }
        return { status: res.status, body: text === '' ? null : JSON.parse(text), etag: res.headers.get('etag') };
      } catch (error) {
        if (attempt >= 3) throw error;
        await sleep(250 * attempt);
      }
    }
  }

  async signOut(): Promise<void> {
    await this.client.auth.signOut({ scope: 'local' }).catch(() => {});
    this.client.auth.stopAutoRefresh();
  }
}
