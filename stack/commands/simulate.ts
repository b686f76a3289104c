import type { ParseArgsConfig } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Menu, MutationError, type MutationResult } from 'plater-realtime'
import { resolveConfig } from '../config.ts'
import { runningStack } from '../state.ts'
import { type ParsedValues, UsageError } from './args.ts'
import { castCrew, loadRoster, screensOf } from './simulate-crew.ts'
import { Member } from './simulate-member.ts'
import {
  type Action,
  type ActionKind,
  eligibleActions,
  MUTATION_OF,
  pickAction,
  seededRandom,
  type ServiceView,
  StateAges,
} from './simulate-plan.ts'
import { SessionShelf } from './simulate-sessions.ts'
import { ServiceWatch } from './simulate-watch.ts'

/** The development password of every seeded account (supabase/seed.sql). */
const SEED_PASSWORD = 'plater-demo'

export interface SimulateOptions {
  /** Actions per second. */
  rate: number
  restaurant?: string
  password: string
  seed: number
}

/** `2/s`, `30/min`, `0.5` (per second). */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/.exec(text)
  const value = match ? Number(match[1]) / (match[2]?.startsWith('m') ? 60 : 1) : NaN
  if (!(value > 0) || value > 1000) {
    throw new UsageError(`--rate must be a positive rate up to 1000/s, e.g. 2/s or 30/min (got "${text}")`)
  }
  return value
}

/** `plater simulate`'s options, for node:util parseArgs. */
export const SIMULATE_OPTIONS = {
  rate: { type: 'string', default: '2/s' },
  restaurant: { type: 'string' },
  password: { type: 'string', default: SEED_PASSWORD },
  seed: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>

/** The options parseArgs read (defaults applied), checked and converted; a bad value is a usage error. */
export function simulateOptions(values: ParsedValues): SimulateOptions {
  const text = (name: keyof typeof SIMULATE_OPTIONS) => {
    const value = values[name]
    return typeof value === 'string' ? value : undefined
  }
  const seedText = text('seed')
  const seed = seedText === undefined ? Date.now() : Number(seedText)
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer (got "${seedText}")`)
  return { rate: parseRate(text('rate')!), restaurant: text('restaurant'), password: text('password')!, seed }
}

/**
 * `plater simulate [--rate 2/s] [--restaurant <id|name>] [--seed n]`: a service, acted out by the restaurant's
 * staff, each signed in and running the project's client with their own screens — servers seat and order, cooks
 * start, finish and bump, expo fires, serves and rushes, servers clear — so the console has something to show.
 * Ctrl-C stops after the action in flight and prints what was done.
 */
export async function simulateCommand(options: SimulateOptions): Promise<number> {
  const config = await resolveConfig()
  const state = runningStack(config.dataDir)
  const apiUrl = state?.apiUrl ?? config.apiUrl
  const dbUrl = state?.dbUrl ?? config.dbUrl
  const health = await fetch(`${apiUrl}/health`).catch(() => undefined)
  if (!health?.ok) {
    console.error(`plater: no stack answers at ${apiUrl}; start one with \`npm start\``)
    return 1
  }

  const roster = await loadRoster(dbUrl, options.restaurant)
  const crew = castCrew(roster)
  const wanted = new Set([crew.manager, crew.expo, ...crew.servers, ...Object.values(crew.cookOf)])
  const access = {
    apiUrl,
    anonKey: config.anonKey,
    password: options.password,
    shelf: new SessionShelf(config.dataDir),
  }
  const members = new Map<string, Member>()
  try {
    for (const row of roster.staff.filter((s) => wanted.has(s.user_id))) {
      members.set(row.user_id, await Member.join(access, row, screensOf(crew, row.user_id)))
    }
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    console.log(
      `Simulating ${roster.restaurant.name} at ${formatRate(options.rate)} (seed ${options.seed}) as ` +
        `${[...members.values()].map((m) => m.name).join(', ')}. Ctrl-C stops.`,
    )
    try {
      const tally = await runService(crew, members, options, stop.signal)
      const total = Object.values(tally.done).reduce((sum, n) => sum + n, 0)
      const parts = Object.entries(tally.done).map(([kind, n]) => `${kind} ${n}`).join(', ')
      console.log(
        `\nStopped after ${tally.ticks} ticks: ${total} actions (${
          parts || 'none'
        }), ${tally.refused} refused.`,
      )
      return 0
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  } finally {
    await Promise.all([...members.values()].map((m) => m.leave(access.shelf)))
  }
}

interface Tally {
  ticks: number
  done: Partial<Record<ActionKind, number>>
  refused: number
}

async function runService(
  crew: ReturnType<typeof castCrew>,
  members: Map<string, Member>,
  options: SimulateOptions,
  signal: AbortSignal,
): Promise<Tally> {
  const random = seededRandom(options.seed)
  const ages = new StateAges()
  const manager = members.get(crew.manager)!
  const menu = await members.get(crew.servers[0]!)!.plater.menu()
  const tables = new Map<string, string>()
  const watch = new ServiceWatch(manager.plater.open({ scope: 'admin' }), () => manager.plater.resync())
  const interval = 1000 / options.rate
  const tally: Tally = { ticks: 0, done: {}, refused: 0 }

  while (!signal.aborted) {
    const started = performance.now()
    const view = watch.view
    for (const row of view.tables) tables.set(row.id, row.label)
    ages.keepOnly(new Set([...view.orders, ...view.items, ...view.tables].map((e) => e.id)))
    const action = pickAction(eligibleActions(view, crew, menu.items, ages, tally.ticks, random), random)
    if (action) {
      const member = members.get(action.actor)!
      const outcome = await untilAborted(perform(member, action), signal)
      if (outcome === undefined) break // Ctrl-C while the stack did not answer: the change is abandoned
      if (outcome instanceof MutationError) {
        tally.refused += 1
        console.log(
          `${clock()} ${member.name.padEnd(16)} could not ${action.kind}: ${outcome.status} ${outcome.code}`,
        )
      } else {
        tally.done[action.kind] = (tally.done[action.kind] ?? 0) + 1
        console.log(`${clock()} ${member.name.padEnd(16)} ${describe(action, view, tables, menu)}`)
        await watch.shows(outcome, signal)
      }
    }
    tally.ticks += 1
    const rest = interval - (performance.now() - started)
    if (rest > 0) await sleep(rest, undefined, { signal }).catch(() => {})
  }
  return tally
}

/** The action through the member's client: its answer, or the refusal (a person on the console got there first). */
async function perform(member: Member, action: Action): Promise<MutationResult | MutationError> {
  const { kind, actor: _, ...args } = action
  // the union's kind and arguments go together (Action's definition); TypeScript cannot follow that through a lookup
  const mutate = member.plater.mutations[MUTATION_OF[kind]] as (args: object) => Promise<MutationResult>
  try {
    return await mutate(args)
  } catch (error) {
    if (error instanceof MutationError) return error
    throw error
  }
}

/**
 * The promise's value, or undefined once `signal` aborts first: the client retries a change the stack does not
 * answer until it is closed, and Ctrl-C must not wait for that.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined)
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    const settle = <V>(done: (value: V) => void) => (value: V) => {
      signal.removeEventListener('abort', onAbort)
      done(value)
    }
    promise.then(settle(resolve), settle(reject))
  })
}

function describe(action: Action, view: ServiceView, tables: Map<string, string>, menu: Menu): string {
  const orderTable = (orderId: string) =>
    tables.get(view.orders.find((o) => o.id === orderId)?.table_id ?? '') ?? '?'
  const item = (itemId: string) => view.items.find((i) => i.id === itemId)
  switch (action.kind) {
    case 'seat':
      return `seated ${tables.get(action.tableId)} (party of ${action.partySize})`
    case 'order': {
      const names = action.items.map((l) =>
        `${l.qty}× ${menu.items.find((m) => m.id === l.menuItemId)?.name}${l.hold ? ' (held)' : ''}`
      )
      return `ordered for ${tables.get(action.tableId)}: ${names.join(', ')}`
    }
    case 'start':
    case 'finish': {
      const row = item(action.itemId)
      return `${action.kind === 'start' ? 'started' : 'finished'} ${row?.name} — ${
        orderTable(row?.order_id ?? '')
      }`
    }
    case 'bump':
      return `bumped the ticket of ${orderTable(action.orderId)}`
    case 'fire':
      return `fired course ${action.course} of ${orderTable(action.orderId)}`
    case 'serve':
      return `served ${orderTable(action.orderId)}`
    case 'rush':
      return `rushed ${orderTable(action.orderId)}`
    case 'clear':
      return `cleared ${tables.get(action.tableId)}`
  }
}

function formatRate(perSecond: number): string {
  return perSecond >= 1 ? `${perSecond}/s` : `${Math.round(perSecond * 60 * 100) / 100}/min`
}

function clock(): string {
  return new Date().toISOString().slice(11, 19)
}
