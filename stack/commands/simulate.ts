import type { ParseArgsConfig } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Menu, Snapshot } from '../../client/src/payloads.ts';
import { resolveConfig } from '../config.ts';
import { runningStack } from '../state.ts';
import { type ParsedValues, UsageError } from './args.ts';
import { type Answer, castCrew, loadRoster, Member } from './simulate-crew.ts';
import {
  type Action,
  type ActionKind,
  eligibleActions,
  pickAction,
  seededRandom,
  type ServiceView,
  StateAges,
} from './simulate-plan.ts';

/** The development password of every seeded account (supabase/seed.sql). */
const SEED_PASSWORD = 'plater-demo';

export interface SimulateOptions {
  /** Actions per second. */
  rate: number;
  restaurant?: string;
  password: string;
  seed: number;
}

/** `2/s`, `30/min`, `0.5` (per second). */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/.exec(text);
  const value = match ? Number(match[1]) / (match[2]?.startsWith('m') ? 60 : 1) : NaN;
  if (!(value > 0) || value > 1000) throw new UsageError(`--rate must be a positive rate up to 1000/s, e.g. 2/s or 30/min (got "${text}")`);
  return value;
}

/** `plater simulate`'s options, for node:util parseArgs. */
export const SIMULATE_OPTIONS = {
  rate: { type: 'string', default: '2/s' },
  restaurant: { type: 'string' },
  password: { type: 'string', default: SEED_PASSWORD },
  seed: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The options parseArgs read (defaults applied), checked and converted; a bad value is a usage error. */
export function simulateOptions(values: ParsedValues): SimulateOptions {
  const text = (name: keyof typeof SIMULATE_OPTIONS) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const seedText = text('seed');
  const seed = seedText === undefined ? Date.now() : Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer (got "${seedText}")`);
  return { rate: parseRate(text('rate')!), restaurant: text('restaurant'), password: text('password')!, seed };
}

/**
 * `plater simulate [--rate 2/s] [--restaurant <id|name>] [--seed n]`: a service, acted out by the restaurant's
 * staff through the edge functions with their own tokens — servers seat and order, cooks start, finish and bump,
 * expo fires, serves and rushes, servers clear — so the console has something to show. Ctrl-C stops after the
 * action in flight and prints what was done.
 */
export async function simulateCommand(options: SimulateOptions): Promise<number> {
  const config = await resolveConfig();
  const state = runningStack(config.dataDir);
  const apiUrl = state?.apiUrl ?? config.apiUrl;
  const dbUrl = state?.dbUrl ?? config.dbUrl;
  const health = await fetch(`${apiUrl}/health`).catch(() => undefined);
  if (!health?.ok) {
    console.error(`plater: no stack answers at ${apiUrl}; start one with \`npm start\``);
    return 1;
  }

  const roster = await loadRoster(dbUrl, options.restaurant);
  const crew = castCrew(roster);
  const wanted = new Set([crew.manager, crew.expo, ...crew.servers, ...Object.values(crew.cookOf)]);
  const members = new Map<string, Member>();
  for (const row of roster.staff.filter((s) => wanted.has(s.user_id))) {
    members.set(row.user_id, await Member.signIn(apiUrl, config.anonKey, row, options.password));
  }

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  console.log(
    `Simulating ${roster.restaurant.name} at ${formatRate(options.rate)} (seed ${options.seed}) as ` +
      `${[...members.values()].map((m) => m.name).join(', ')}. Ctrl-C stops.`,
  );
  try {
    const tally = await runService(roster, crew, members, options, stop.signal);
    const total = Object.values(tally.done).reduce((sum, n) => sum + n, 0);
    const parts = Object.entries(tally.done).map(([kind, n]) => `${kind} ${n}`).join(', ');
    console.log(`\nStopped after ${tally.ticks} ticks: ${total} actions (${parts || 'none'}), ${tally.refused} refused.`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all([...members.values()].map((m) => m.signOut()));
  }
}

interface Tally {
  ticks: number;
  done: Partial<Record<ActionKind, number>>;
  refused: number;
}

async function runService(
  roster: Awaited<ReturnType<typeof loadRoster>>,
  crew: ReturnType<typeof castCrew>,
  members: Map<string, Member>,
  options: SimulateOptions,
  signal: AbortSignal,
): Promise<Tally> {
  const random = seededRandom(options.seed);
  const ages = new StateAges();
  const manager = members.get(crew.manager)!;
  const menu = (await members.get(crew.servers[0]!)!.request('GET', 'menu')).body as Menu;
  const tables = new Map<string, string>();
  const watch = new AdminWatch(manager, `admin:${roster.restaurant.id}`);
  const interval = 1000 / options.rate;
  const tally: Tally = { ticks: 0, done: {}, refused: 0 };

  while (!signal.aborted) {
    const started = performance.now();
    const view = await watch.view();
    for (const { row } of view.tables) tables.set(row.id, row.label);
    ages.keepOnly(new Set([...view.orders, ...view.items, ...view.tables].map((e) => e.id)));
    const action = pickAction(eligibleActions(view, crew, menu.items, ages, tally.ticks, random), random);
    if (action) {
      const member = members.get(action.actor)!;
      const answer = await perform(member, action);
      if (answer.status < 300) {
        tally.done[action.kind] = (tally.done[action.kind] ?? 0) + 1;
        console.log(`${clock()} ${member.name.padEnd(16)} ${describe(action, view, tables, menu)}`);
      } else {
        tally.refused += 1;
        console.log(`${clock()} ${member.name.padEnd(16)} could not ${action.kind}: ${answer.status} ${answer.body?.code ?? ''}`);
      }
    }
    tally.ticks += 1;
    const rest = interval - (performance.now() - started);
    if (rest > 0) await sleep(rest, undefined, { signal }).catch(() => {});
  }
  return tally;
}

/** The manager's admin snapshot, revalidated with its ETag (a 304 reuses the body). */
class AdminWatch {
  #last: { etag: string; data: ServiceView } | undefined;

  constructor(private readonly manager: Member, private readonly topic: string) {}

  async view(): Promise<ServiceView> {
    const answer: Answer = await this.manager.request('GET', `snapshot?topic=${this.topic}`, undefined,
      this.#last ? { 'if-none-match': this.#last.etag } : {});
    if (answer.status === 304 && this.#last) return this.#last.data;
    if (answer.status !== 200) throw new Error(`the ${this.topic} snapshot answered ${answer.status} ${answer.body?.code ?? ''}`);
    const snapshot = answer.body as Snapshot<'admin'>;
    this.#last = { etag: answer.etag!, data: snapshot.data };
    return snapshot.data;
  }
}

function perform(member: Member, action: Action): Promise<Answer> {
  switch (action.kind) {
    case 'seat':
      return member.request('POST', `tables/${action.tableId}/seat`, { party_size: action.partySize, expected_version: action.version });
    case 'order':
      return member.request('POST', 'orders', { table_id: action.tableId, items: action.lines });
    case 'start':
    case 'finish':
      return member.request('POST', `kitchen/items/${action.itemId}/${action.kind}`, { expected_version: action.version });
    case 'bump':
      return member.request('POST', `kitchen/orders/${action.orderId}/stations/${action.stationId}/bump`, {});
    case 'fire':
      return member.request('POST', `orders/${action.orderId}/courses/${action.course}/fire`, { expected_version: action.version });
    case 'serve':
      return member.request('POST', `orders/${action.orderId}/serve`, { expected_version: action.version });
    case 'rush':
      return member.request('POST', `orders/${action.orderId}/rush`, { rush: true, expected_version: action.version });
    case 'clear':
      return member.request('POST', `tables/${action.tableId}/clear`, { expected_version: action.version });
  }
}

function describe(action: Action, view: ServiceView, tables: Map<string, string>, menu: Menu): string {
  const orderTable = (orderId: string) => tables.get(view.orders.find((o) => o.id === orderId)?.row.table_id ?? '') ?? '?';
  const item = (itemId: string) => view.items.find((i) => i.id === itemId)?.row;
  switch (action.kind) {
    case 'seat':
      return `seated ${tables.get(action.tableId)} (party of ${action.partySize})`;
    case 'order': {
      const names = action.lines.map((l) => `${l.qty}× ${menu.items.find((m) => m.id === l.menu_item_id)?.name}${l.hold ? ' (held)' : ''}`);
      return `ordered for ${tables.get(action.tableId)}: ${names.join(', ')}`;
    }
    case 'start':
    case 'finish': {
      const row = item(action.itemId);
      return `${action.kind === 'start' ? 'started' : 'finished'} ${row?.name} — ${orderTable(row?.order_id ?? '')}`;
    }
    case 'bump':
      return `bumped the ticket of ${orderTable(action.orderId)}`;
    case 'fire':
      return `fired course ${action.course} of ${orderTable(action.orderId)}`;
    case 'serve':
      return `served ${orderTable(action.orderId)}`;
    case 'rush':
      return `rushed ${orderTable(action.orderId)}`;
    case 'clear':
      return `cleared ${tables.get(action.tableId)}`;
  }
}

function formatRate(perSecond: number): string {
  return perSecond >= 1 ? `${perSecond}/s` : `${Math.round(perSecond * 60 * 100) / 100}/min`;
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}
