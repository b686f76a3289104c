// Test doubles for the client's unit tests: a clock tests advance by hand, a topic server that numbers its
// messages like the database does, a fetch that answers like the edge functions, and a socket link.
import { ManualClock } from '../../gateway/helpers/manual-clock.ts'
import type { JoinOptions, LinkHandlers, LinkStatus, RealtimeLink } from '../../../client/src/link.ts'
import type { QueueStorage } from '../../../client/src/mutations/queue.ts'
import { buildTopic } from '../../../contract/topics.ts'

/** Timers fire only when the test advances time; promise callbacks run in between. */
export class FakeClock extends ManualClock {
  constructor() {
    super(1_000_000)
  }

  /** Runs every timer due within `ms`, in time order, letting promises settle after each. */
  override async advance(ms: number): Promise<void> {
    const target = this.now() + ms
    await settle()
    while (this.runNextDue(target)) await settle()
    super.advance(target - this.now())
    await settle()
  }
}

/** Lets every queued promise callback run (several rounds: chains of awaits). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

type Row = { type: 'order' | 'item' | 'table'; id: string; version: number; [field: string]: unknown }

/** One topic as the database keeps it: rows, a contiguous seq, an epoch, and the log of what it published. */
export class FakeTopic {
  rows = new Map<string, Row>()
  seq = 0
  epoch = 'epoch-1'
  log: Record<string, unknown>[] = []
  /** Catch-up answers refetch for `after` below this (retention). */
  retainedFrom = 0

  constructor(
    readonly topic: string,
    readonly dataKeys: Record<'order' | 'item' | 'table', string> = {
      order: 'orders',
      item: 'items',
      table: 'tables',
    },
  ) {}

  /** Changes (or creates) a row: a new version and the next seq; returns the broadcast message. */
  publish(type: Row['type'], id: string, fields: Record<string, unknown>, ts = 0): Record<string, unknown> {
    const held = this.rows.get(`${type}:${id}`)
    const row: Row = { ...(held ?? {}), ...fields, type, id, version: (held?.version ?? 0) + 1 }
    this.rows.set(`${type}:${id}`, row)
    const message = { ...row, seq: ++this.seq, ts }
    this.log.push(message)
    return message
  }

  /** `plater reset`: a new epoch, seq starting over, the rows the seed makes. */
  reset(epoch: string): void {
    this.rows.clear()
    this.log = []
    this.seq = 0
    this.retainedFrom = 0
    this.epoch = epoch
  }

  snapshot(): { topic: string; epoch: string; seq: number; data: Record<string, Row[]> } {
    const data: Record<string, Row[]> = {}
    for (const key of Object.values(this.dataKeys)) data[key] = []
    for (const row of this.rows.values()) data[this.dataKeys[row.type]]!.push({ ...row })
    return { topic: this.topic, epoch: this.epoch, seq: this.seq, data }
  }

  catchUp(after: number, epoch: string | null, limit = 500): { status: number; body: unknown } {
    const refetch = (reason: string) => ({
      status: 410,
      body: {
        code: 'refetch_snapshot',
        message: reason,
        details: { reason, topic: this.topic, epoch: this.epoch, last_seq: this.seq },
      },
    })
    if (epoch && epoch !== this.epoch) return refetch('epoch_changed')
    if (after > this.seq) return refetch('ahead_of_topic')
    if (after < this.retainedFrom) return refetch('beyond_retention')
    const events = this.log.filter((m) => (m.seq as number) > after).slice(0, limit)
    return {
      status: 200,
      body: {
        status: 'ok',
        topic: this.topic,
        epoch: this.epoch,
        last_seq: this.seq,
        events: events.map((payload) => ({ event: payload.type, payload })),
        more: events.length > 0 && (events.at(-1)!.seq as number) < this.seq,
      },
    }
  }
}

export interface Call {
  method: string
  path: string
  headers: Record<string, string>
  body: unknown
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network'

/**
 * The edge functions as a fetch: session, snapshot (ETag with the epoch), catch-up, and mutations answered by
 * `onPost` (default 200 {}). `hold()` makes matching requests wait until released, to test overlap.
 */
export class FakeBackend {
  readonly topics = new Map<string, FakeTopic>()
  readonly calls: Call[] = []
  session: Record<string, unknown> = SESSION
  offline = false
  onPost: (call: Call) => Answer | Promise<Answer> = () => ({ status: 200, body: {} })
  onGet: ((call: Call) => Answer | undefined) | null = null
  #held: { match: (call: Call) => boolean; waiting: (() => void)[] }[] = []

  topic(name: string, dataKeys?: FakeTopic['dataKeys']): FakeTopic {
    let topic = this.topics.get(name)
    if (!topic) this.topics.set(name, topic = new FakeTopic(name, dataKeys))
    return topic
  }

  count(path: string): number {
    return this.calls.filter((call) => call.path.startsWith(path)).length
  }

  /** Requests matching stop before being answered until the returned release() is called. */
  hold(match: (call: Call) => boolean): () => void {
    const entry = { match, waiting: [] as (() => void)[] }
    this.#held.push(entry)
    return () => {
      this.#held = this.#held.filter((held) => held !== entry)
      for (const go of entry.waiting) go()
    }
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input))
    const path = url.pathname.replace('/functions/v1/', '') + url.search
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    )
    const call: Call = {
      method: init?.method ?? 'GET',
      path,
      headers,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    }
    this.calls.push(call)
    for (const held of this.#held) {
      if (held.match(call)) await new Promise<void>((resolve) => held.waiting.push(resolve))
    }
    if (this.offline) throw new TypeError('fetch failed')
    const answer = call.method === 'POST'
      ? await this.onPost(call)
      : (this.onGet?.(call) ?? this.#get(call, url))
    if (answer === 'network') throw new TypeError('fetch failed')
    const body = answer.body === undefined ? null : JSON.stringify(answer.body)
    return new Response(answer.status === 304 ? null : body, {
      status: answer.status,
      headers: answer.headers ?? {},
    })
  }

  #get(call: Call, url: URL): Exclude<Answer, 'network'> {
    const name = url.pathname.replace('/functions/v1/', '')
    if (name === 'session') return { status: 200, body: this.session, headers: { etag: '"s1"' } }
    const topic = this.topics.get(url.searchParams.get('topic') ?? '')
    if (!topic) return { status: 403, body: { code: 'forbidden', message: 'no such topic here' } }
    if (name === 'snapshot') {
      const etag = `"${topic.topic}:${topic.seq}@${topic.epoch}"`
      if (call.headers['if-none-match'] === etag) return { status: 304, headers: { etag } }
      return { status: 200, body: topic.snapshot(), headers: { etag } }
    }
    if (name === 'catch-up') {
      return topic.catchUp(
        Number(url.searchParams.get('after')),
        url.searchParams.get('epoch'),
        Number(url.searchParams.get('limit') ?? 500),
      )
    }
    return { status: 404, body: { code: 'not_found', message: name } }
  }
}

export const RESTAURANT = 'r1'
export const STATION = 'grill'
export const ME = 'u-cook'
export const SESSION = {
  user_id: ME,
  staff: { user_id: ME, restaurant_id: RESTAURANT, role: 'cook', station_id: STATION, display_name: 'Gus' },
  restaurant: { id: RESTAURANT, name: 'Bistro' },
  stations: [{ id: STATION, slug: 'grill', name: 'Grill' }],
  scopes: [{
    scope: 'kds',
    station_id: STATION,
    topic: buildTopic({ kind: 'kds', restaurant: RESTAURANT, station: STATION }),
  }],
}

/** The socket: joins are recorded; the test says when a channel is joined, down or refused, and sends messages. */
export class FakeLink implements RealtimeLink {
  readonly joins: string[] = []
  readonly leaves: string[] = []
  readonly channels = new Map<string, LinkHandlers>()
  authRefreshes = 0
  /** Joined at once (as a healthy socket would) unless set false. */
  autoJoin = true
  /** The socket believes it is open (a black-holed one still does). */
  open = true
  /** Times the client asked for a new socket (it went silent). */
  reconnects = 0
  readonly #alive = new Set<() => void>()

  /** Broadcasts and presence this client sent, per topic. */
  readonly sent: { topic: string; event: string; payload: Record<string, unknown> }[] = []
  readonly tracked = new Map<string, Record<string, unknown> | null>()
  readonly presenceKeys = new Map<string, string | undefined>()

  join(topic: string, handlers: LinkHandlers, options: JoinOptions = {}) {
    this.joins.push(topic)
    this.channels.set(topic, handlers)
    this.presenceKeys.set(topic, options.presenceKey)
    if (this.autoJoin) {
      queueMicrotask(() => this.channels.get(topic) === handlers && handlers.status('joined'))
    }
    return {
      leave: () => {
        if (this.channels.get(topic) === handlers) this.channels.delete(topic)
        this.leaves.push(topic)
      },
      send: (event: string, payload: Record<string, unknown>) => {
        this.sent.push({ topic, event, payload })
        return Promise.resolve()
      },
      track: (meta: Record<string, unknown> | null) => {
        this.tracked.set(topic, meta)
        return Promise.resolve()
      },
    }
  }

  presence(topic: string, state: Record<string, Record<string, unknown>[]>): void {
    this.channels.get(topic)?.presence?.(state)
  }

  send(topic: string, message: Record<string, unknown>): void {
    this.channels.get(topic)?.message(String(message.type), message)
  }

  /** A broadcast of any event (a system one like `epoch_changed`, or what another client sent). */
  broadcast(topic: string, event: string, payload: unknown): void {
    this.channels.get(topic)?.message(event, payload)
  }

  status(topic: string, status: LinkStatus, reason?: string): void {
    this.channels.get(topic)?.status(status, reason)
  }

  /** Every channel loses its connection. */
  drop(): void {
    for (const handlers of this.channels.values()) handlers.status('down', 'socket closed')
  }

  refreshAuth(): Promise<void> {
    this.authRefreshes++
    return Promise.resolve()
  }

  onAlive(listener: () => void): () => void {
    this.#alive.add(listener)
    return () => this.#alive.delete(listener)
  }

  /** The socket answered something (a heartbeat reply). */
  alive(): void {
    for (const listener of [...this.#alive]) listener()
  }

  reconnect(): void {
    this.reconnects++
  }

  close(): Promise<void> {
    this.channels.clear()
    return Promise.resolve()
  }
}

/** A token whose `sub` is `user` (the client reads it to key the offline queue; nothing verifies it here). */
export function tokenFor(user: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none' })}.${part({ sub: user })}.sig`
}

/** localStorage's shape in memory (the offline queue's storage), with its entries to look at. */
export function memoryStorage(): QueueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  }
}
