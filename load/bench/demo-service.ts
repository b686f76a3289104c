import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from 'postgres';
import { DEMO, TABLE_CYCLE, TOPICS, cycleRequest } from '../k6/scenarios.js';
import { Http, signIn } from '../functions-env.ts';
import type { StackEndpoints } from './stack.ts';

/**
 * Service in the seeded demo bistro through /functions/v1, as its staff do it: who may read which topic, and table
 * cycles (the shared TABLE_CYCLE) over its free tables — tables alternate between its two servers, orders take
 * dishes from each of its stations in turn, a dish is started and finished by its station's cook (expo for a
 * station without one).
 */
export interface DemoStaff {
  readonly email: string;
  readonly id: string;
  readonly station: string | null;
  readonly token: string;
}

export class DemoBistro {
  private constructor(
    readonly http: Http,
    readonly stack: StackEndpoints,
    readonly staff: Record<string, DemoStaff>,
    readonly menu: { id: string; station_id: string }[],
  ) {}

  static async open(stack: StackEndpoints, sql: Sql): Promise<DemoBistro> {
    const http = new Http(stack.apiUrl);
    const rows = await sql<{ email: string; id: string; station: string | null }[]>`
      select u.email, s.user_id as id, s.station_id as station from public.staff s join auth.users u on u.id = s.user_id
       where s.restaurant_id = ${DEMO.restaurant}`;
    const emails = [DEMO.staff.manager, DEMO.staff.expo, ...DEMO.staff.cooks, ...DEMO.staff.servers];
    const staff: Record<string, DemoStaff> = {};
    for (const email of emails) {
      const row = rows.find((r) => r.email === email);
      if (!row) throw new Error(`the demo bistro has no staff member ${email} (is the seed loaded?)`);
      staff[email] = { ...row, token: await signIn(http, stack.anonKey, email) };
    }
    const menu = await sql<{ id: string; station_id: string }[]>`
      select distinct on (station_id) id, station_id from public.menu_items
       where restaurant_id = ${DEMO.restaurant} and active order by station_id, name`;
    return new DemoBistro(http, stack, staff, menu);
  }

  /** Each role's screen: the topics it holds and whose token reads them. */
  screens(): { role: string; token: string; topics: string[] }[] {
    const r = DEMO.restaurant;
    const cook = this.staff[DEMO.staff.cooks[0]!]!;
    const server = this.staff[DEMO.staff.servers[0]!]!;
    return [
      { role: 'cook', token: cook.token, topics: [TOPICS.kds(r, cook.station!)] },
      { role: 'server', token: server.token, topics: [TOPICS.server(r, server.id), TOPICS.floor(r)] },
      { role: 'expo', token: this.staff[DEMO.staff.expo]!.token, topics: [TOPICS.expo(r)] },
      { role: 'manager', token: this.staff[DEMO.staff.manager]!.token, topics: [TOPICS.admin(r)] },
    ];
  }

  /** Every topic the bistro's writes publish to, each with a token allowed to read it. */
  allTopics(): { topic: string; token: string }[] {
    const r = DEMO.restaurant;
    const manager = this.staff[DEMO.staff.manager]!.token;
    const stations = [...new Set(this.menu.map((m) => m.station_id))];
    return [
      ...stations.map((station) => ({ topic: TOPICS.kds(r, station), token: manager })),
      { topic: TOPICS.expo(r), token: manager },
      { topic: TOPICS.floor(r), token: manager },
      { topic: TOPICS.admin(r), token: manager },
      ...DEMO.staff.servers.map((email) => ({ topic: TOPICS.server(r, this.staff[email]!.id), token: manager })),
    ];
  }

  async freeTables(sql: Sql, limit: number): Promise<string[]> {
    const rows = await sql<{ id: string }[]>`
      select id from public.dining_tables where restaurant_id = ${DEMO.restaurant} and status = 'free' order by label limit ${limit}`;
    return rows.map((row) => row.id);
  }

  /** The n-th table's service cycle. */
  cycle(table: string, n: number): TableCycle {
    return new TableCycle(this, table, [this.menu[n % this.menu.length]!, this.menu[(n + 1) % this.menu.length]!], DEMO.staff.servers[n % DEMO.staff.servers.length]!);
  }

  close(): void {
    this.http.close();
  }
}

/** One table going round TABLE_CYCLE, one step at a time. */
export class TableCycle {
  step = 0;
  busy = false;
  #order: string | undefined;
  #items: string[] = [];

  constructor(
    readonly bistro: DemoBistro,
    readonly table: string,
    readonly dishes: { id: string; station_id: string }[],
    readonly server: string,
  ) {}

  #actor(as: string, item: number | undefined): string {
    if (as === 'server') return this.server;
    if (as === 'cook') {
      const station = this.dishes[item!]!.station_id;
      const cook = DEMO.staff.cooks.find((email) => this.bistro.staff[email]!.station === station);
      if (cook) return cook;
    }
    return DEMO.staff.expo;
  }

  /**
   * Runs the next step. `retryFor` ms: a failed attempt (the stack restarting, say) is sent again with the same
   * Idempotency-Key, so a step that did commit is answered from the stored result and never applies twice.
   * Returns the attempts it took; throws the last error after `retryFor`.
   */
  async advance(retryFor = 0): Promise<number> {
    const step = TABLE_CYCLE[this.step]!;
    const request = cycleRequest(step.step, {
      table: this.table,
      order: this.#order,
      item: step.item === undefined ? undefined : this.#items[step.item],
      items: this.dishes.map((d) => d.id),
    });
    const headers = {
      apikey: this.bistro.stack.anonKey,
      authorization: `Bearer ${this.bistro.staff[this.#actor(step.as, step.item)]!.token}`,
      'idempotency-key': randomUUID(),
    };
    const deadline = performance.now() + retryFor;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.bistro.http.send('POST', `/functions/v1/${request.path}`, headers, request.body).catch((error: Error) => error);
      if (!(answer instanceof Error) && answer.status < 300) {
        if (step.step === 'place') {
          const placed = JSON.parse(answer.body) as { order: { id: string }; items: { id: string; menu_item_id: string }[] };
          this.#order = placed.order.id;
          this.#items = this.dishes.map((d) => placed.items.find((i) => i.menu_item_id === d.id)!.id);
        }
        this.step = (this.step + 1) % TABLE_CYCLE.length;
        return attempt;
      }
      // No answer, a 5xx, or 409 (the first attempt with this key still in flight) may succeed when sent again.
      const retryable = answer instanceof Error || answer.status >= 500 || answer.status === 409;
      const failure = answer instanceof Error ? answer.message : `${answer.status} ${answer.body.slice(0, 200)}`;
      if (!retryable || performance.now() > deadline) throw new Error(`${step.step}: ${failure}`);
      await sleep(250);
    }
  }
}
