import { parentPort, workerData } from 'node:worker_threads'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { createPlaterClient, type PlaterClient, type ScopeHandle, type ScopeKey } from 'plater-realtime'
import { TABLE_CYCLE } from '../k6/scenarios.js'
import type { BenchRestaurant, BenchStaff } from '../bench/bench-restaurants.ts'

/**
 * A worker thread of the `users` scenario: one project client (client/) per staff member of its restaurants, each
 * with its own token and the scopes its screen shows, and its restaurants' service driven through those clients'
 * own mutations at an open-loop rate. See load/scenarios/users.ts.
 */
export interface UsersWorkerConfig {
  readonly apiUrl: string
  readonly anonKey: string
  readonly restaurants: BenchRestaurant[]
  /** Clients started per second (keeps joins under the gateway's limit). */
  readonly usersPerSecond: number
  readonly sampleEvery: number
}

export type UsersCommand = { type: 'run'; rate: number; seconds: number } | { type: 'report' } | {
  type: 'close'
}

export interface UsersReport {
  readonly users: number
  readonly scopesLive: number
  readonly scopesFailed: number
  /** Socket arrival − envelope `ts` (ms), sampled clients. */
  readonly latencies: Float64Array
  readonly framesReceived: number
  readonly mutations: { done: number; latencies: Float64Array; errors: Record<string, number> }
  /** Per scope held: its topic and the last seq the client applied. */
  readonly held: { topic: string; seq: number }[]
  /** Store applies out of order or twice, from the client's trace: must be 0. */
  readonly applyErrors: number
  readonly health: {
    reconnects: number
    gapsHealed: number
    duplicatesDropped: number
    rollbacks: number
    latencyP99: number[]
  }
}

const config = workerData as UsersWorkerConfig
const latencies: number[] = []
let framesReceived = 0
let applyErrors = 0

function screen(staff: BenchStaff): ScopeKey[] {
  switch (staff.role) {
    case 'cook':
      return [{ scope: 'kds', stationId: staff.station! }]
    case 'server':
      return [{ scope: 'server' }, { scope: 'floor' }]
    case 'expo':
      return [{ scope: 'expo' }]
    default:
      return [{ scope: 'admin' }]
  }
}

/** Reads `ts` from broadcast frames as they reach the socket (vsn 2.0.0 kind 4, or JSON text). */
function tapped(sampled: boolean): unknown {
  return class extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      // realtime-js sets binaryType 'arraybuffer', so binary frames come as ArrayBuffers.
      this.on('message', (raw: Buffer | ArrayBuffer, isBinary: boolean) => {
        framesReceived++
        if (!sampled) return
        const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw)
        const arrival = performance.timeOrigin + performance.now()
        let ts: unknown
        if (isBinary && data[0] === 4) {
          ts = (JSON.parse(data.toString('utf8', 5 + data[1]! + data[2]! + data[3]!)) as { ts?: number }).ts
        } else if (!isBinary && data.includes('"broadcast"')) {
          const message = JSON.parse(data.toString()) as unknown[] | {
            payload?: { payload?: { ts?: number } }
          }
          ts = Array.isArray(message)
            ? (message[4] as { payload?: { ts?: number } })?.payload?.ts
            : message.payload?.payload?.ts
        }
        if (typeof ts === 'number') latencies.push(arrival - ts)
      })
    }
  }
}

interface User {
  readonly staff: BenchStaff
  readonly client: PlaterClient
  readonly handles: ScopeHandle<unknown>[]
}

const users: User[] = []
let scopesFailed = 0
const startedAt = performance.now()
let index = 0
for (const restaurant of config.restaurants) {
  for (const staff of restaurant.staff) {
    const due = startedAt + (index * 1000) / config.usersPerSecond
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    const last = new Map<string, number>()
    const client = createPlaterClient(
      {
        supabaseUrl: config.apiUrl,
        anonKey: config.anonKey,
        accessToken: () => Promise.resolve(staff.token),
        transport: tapped(index % config.sampleEvery === 0),
        storage: null,
      },
      {
        trace: ({ topic, kind, seq }) => {
          if (kind === 'apply' && seq !== (last.get(topic) ?? seq - 1) + 1) applyErrors++
          last.set(topic, seq)
        },
      },
    )
    users.push({
      staff,
      client,
      handles: screen(staff).map((key) => client.open(key) as ScopeHandle<unknown>),
    })
    index++
  }
}
const readiness = await Promise.allSettled(users.flatMap((u) => u.handles.map((h) => h.ready())))
scopesFailed = readiness.filter((r) => r.status === 'rejected').length

/** A table of one restaurant going round TABLE_CYCLE through its staff's clients. */
class Table {
  step = 0
  busy = false
  order: string | undefined
  items: string[] = []

  constructor(
    readonly restaurant: BenchRestaurant,
    readonly id: string,
    readonly dishes: { id: string; station: string }[],
    readonly server: User,
  ) {}

  actor(as: string, item: number | undefined): User {
    if (as === 'server') return this.server
    const station = item === undefined ? undefined : this.dishes[item]!.station
    const byRole = (role: string, match: (s: BenchStaff) => boolean = () => true) =>
      users.find((u) => u.staff.role === role && this.restaurant.staff.includes(u.staff) && match(u.staff))
    return (as === 'cook' ? byRole('cook', (s) => s.station === station) : undefined) ?? byRole('expo')!
  }

  async advance(): Promise<void> {
    const step = TABLE_CYCLE[this.step]!
    const { mutations } = this.actor(step.as, step.item).client
    switch (step.step) {
      case 'seat':
        await mutations.seatTable({ tableId: this.id, partySize: 2 })
        break
      case 'place': {
        const placed = (await mutations.placeOrder({
          tableId: this.id,
          items: this.dishes.map((d) => ({ menuItemId: d.id, qty: 1 })),
        })) as {
          order: { id: string }
          items: { id: string; menu_item_id: string }[]
        }
        this.order = placed.order.id
        this.items = this.dishes.map((d) => placed.items.find((i) => i.menu_item_id === d.id)!.id)
        break
      }
      case 'start':
        await mutations.startItem({ itemId: this.items[step.item!]! })
        break
      case 'finish':
        await mutations.finishItem({ itemId: this.items[step.item!]! })
        break
      case 'serve':
        await mutations.serveOrder({ orderId: this.order! })
        break
      default:
        await mutations.clearTable({ tableId: this.id })
    }
    this.step = (this.step + 1) % TABLE_CYCLE.length
  }
}

const tables = config.restaurants.flatMap((restaurant) => {
  const servers = users.filter((u) => u.staff.role === 'server' && restaurant.staff.includes(u.staff))
  return restaurant.tables.map(
    (id, k) =>
      new Table(restaurant, id, [
        restaurant.menu[k % restaurant.menu.length]!,
        restaurant.menu[(k + 3) % restaurant.menu.length]!,
      ], servers[k % servers.length]!),
  )
})
const mutationLatencies: number[] = []
const mutationErrors: Record<string, number> = {}

async function run(rate: number, seconds: number): Promise<void> {
  const start = performance.now()
  const pending = new Set<Promise<void>>()
  let cursor = 0
  for (let i = 0; i < rate * seconds; i++) {
    const wait = start + (i * 1000) / rate - performance.now()
    if (wait > 1) await sleep(wait)
    let table: Table | undefined
    for (let probe = 0; probe < tables.length && !table; probe++) {
      const candidate = tables[cursor++ % tables.length]!
      if (!candidate.busy) table = candidate
    }
    if (!table) continue
    const chosen = table
    chosen.busy = true
    const sent = performance.now()
    const p = chosen
      .advance()
      .then(
        () => void mutationLatencies.push(performance.now() - sent),
        (error: { code?: string; status?: number; message?: string }) => {
          const key = `${TABLE_CYCLE[chosen.step]!.step}: ${error.code ?? error.status ?? error.message}`
          mutationErrors[key] = (mutationErrors[key] ?? 0) + 1
        },
      )
      .finally(() => {
        chosen.busy = false
        pending.delete(p)
      })
    pending.add(p)
  }
  await Promise.all(pending)
}

parentPort!.on('message', async (command: UsersCommand) => {
  if (command.type === 'run') {
    await run(command.rate, command.seconds)
    parentPort!.postMessage({ done: true })
  } else if (command.type === 'report') {
    const healths = users.map((u) => u.client.health.get())
    const report: UsersReport = {
      users: users.length,
      scopesLive: readiness.length - scopesFailed,
      scopesFailed,
      latencies: Float64Array.from(latencies),
      framesReceived,
      mutations: {
        done: mutationLatencies.length,
        latencies: Float64Array.from(mutationLatencies),
        errors: mutationErrors,
      },
      held: users.flatMap((u) => u.handles.map((h) => ({ topic: h.topic ?? '', seq: h.seq }))),
      applyErrors,
      health: {
        reconnects: healths.reduce((s, h) => s + h.reconnects, 0),
        gapsHealed: healths.reduce((s, h) => s + h.gapsHealed, 0),
        duplicatesDropped: healths.reduce((s, h) => s + h.duplicatesDropped, 0),
        rollbacks: healths.reduce((s, h) => s + h.rollbacks, 0),
        latencyP99: healths.map((h) => h.latencyMs.p99).filter((v): v is number => v !== null),
      },
    }
    parentPort!.postMessage(report)
  } else {
    for (const u of users) for (const h of u.handles) h.release()
    await Promise.all(users.map((u) => u.client.close()))
    parentPort!.close()
  }
})
parentPort!.postMessage({ ready: true, users: users.length, scopesFailed })
