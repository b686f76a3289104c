import { Coalescer } from './coalescer.ts'
import { type PlaterClientOptions, type ResolvedOptions, resolveOptions } from './config.ts'
import { ChannelLimitError, closedError } from './errors.ts'
import { type Health, HealthMetrics } from './health.ts'
import { FunctionsApi, type Revalidated } from './functions-api.ts'
import type { RealtimeLink } from './link.ts'
import { echoedIn } from './mutations/overlay.ts'
import { MutationQueue, type PendingMutation } from './mutations/queue.ts'
import {
  type MutationArgs,
  type MutationName,
  type MutationResult,
  MUTATIONS,
  type SpecContext,
} from './mutations/specs.ts'
import type { EntityType, Menu, Session } from '../../contract/payloads.ts'
import { CrewScope } from './crew.ts'
import type { CrewView } from './views/crew.ts'
import { type PooledScope, Scope, type ScopeBatch, type ScopeStatus } from './topic-scope.ts'
import type { StoreTrace } from './store.ts'
import { type ScopeKey, scopeKeyId, type ViewOf } from './scope-keys.ts'
import { RetryEngine } from './retry.ts'
import { Connectivity, healthStatus } from './status.ts'
import { openRealtimeSocket } from './realtime-transport.ts'
import { realtimeJsLink } from './realtime-js-link.ts'

/** A held scope: read its view, hear its changes, release it when the screen goes. */
export interface ScopeHandle<V> {
  readonly key: ScopeKey
  /** The topic, once the session is known. */
  readonly topic: string | null
  readonly status: ScopeStatus
  /** Why the scope is in `error` (e.g. ScopeAccessError). */
  readonly error: Error | null
  /** The last seq applied. */
  readonly seq: number
  /** Confirmed rows ⊕ pending mutations, derived for the scope; the same object until something changes. */
  getView(): V
  /** Coalesced change notifications (also on status changes); returns unsubscribe. */
  subscribe(listener: (batch: ScopeBatch) => void): () => void
  /** Resolves with the view once the scope is first live (rejects if it cannot be opened). */
  ready(): Promise<V>
  /** Idempotent. */
  release(): void
}

/** The crew scope's handle: also sends broadcasts and tracks presence. */
export interface CrewHandle extends ScopeHandle<CrewView> {
  send(event: string, payload: Record<string, unknown>): Promise<void>
  /** This client's presence on the crew topic (`null` leaves it); Supabase allows 5 calls per 30 s. */
  track(meta: Record<string, unknown> | null): Promise<void>
}

export type HandleOf<K extends ScopeKey> = K extends { scope: 'crew' } ? CrewHandle : ScopeHandle<ViewOf<K>>

export type Mutations = { [N in MutationName]: (args: MutationArgs[N]) => Promise<MutationResult> } & {
  /** Mutations shown as pending: unsent (e.g. offline), in flight, or answered but not yet echoed. */
  pending(): readonly PendingMutation[]
}

export interface HealthApi {
  get(): Health
  /** Status changes and metric updates (coalesced); returns unsubscribe. */
  subscribe(listener: (health: Health) => void): () => void
}

export interface PlaterClient {
  session(options?: { revalidate?: boolean }): Promise<Session>
  menu(options?: { revalidate?: boolean }): Promise<Menu>
  open<K extends ScopeKey>(key: K): HandleOf<K>
  readonly mutations: Mutations
  readonly health: HealthApi
  /** Fetch whatever every open scope missed (done by itself on reconnect, visibility and `online`). */
  resync(): void
  /** The access token changed (e.g. after a refresh): push it to the socket now. */
  refreshAuth(): Promise<void>
  close(): Promise<void>
}

/** For tests and other transports: the socket behind the client. */
export interface PlaterClientInternals {
  link?: RealtimeLink
  /** Sees every seq each store applies and every snapshot it loads. */
  trace?: StoreTrace
  /** Where `offline`/`online` and `visibilitychange` come from (default: the page's window and document). */
  environment?: Environment
}

/** The parts of a browser page the client listens to. */
export interface Environment {
  window?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & {
    navigator?: { onLine?: boolean }
  }
  document?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { visibilityState?: string }
}

export function createPlaterClient(
  options: PlaterClientOptions,
  internals: PlaterClientInternals = {},
): PlaterClient {
  return new Client(resolveOptions(options), internals)
}

/**
 * A resource read once and then kept (session, menu): asked again only on `revalidate`, then conditionally (its
 * ETag), one request at a time however many callers ask.
 */
class Revalidating<T> {
  value: T | undefined
  #etag: string | null = null
  #request: Promise<T> | null = null
  readonly #fetch: (etag: string | null) => Promise<Revalidated<T>>
  readonly #metrics: HealthMetrics
  readonly #loaded: ((value: T) => void) | undefined

  constructor(
    fetch: (etag: string | null) => Promise<Revalidated<T>>,
    metrics: HealthMetrics,
    loaded?: (value: T) => void,
  ) {
    this.#fetch = fetch
    this.#metrics = metrics
    this.#loaded = loaded
  }

  get(revalidate = false): Promise<T> {
    if (this.value !== undefined && !revalidate) return Promise.resolve(this.value)
    this.#request ??= this.#load().finally(() => {
      this.#request = null
    })
    return this.#request
  }

  async #load(): Promise<T> {
    const answer = await this.#fetch(this.value === undefined ? null : this.#etag)
    this.#metrics.snapshot(!answer.modified)
    if (answer.modified) {
      this.value = answer.body
      this.#etag = answer.etag
      this.#loaded?.(answer.body)
    }
    return this.value!
  }
}

class Client implements PlaterClient {
  readonly mutations: Mutations
  readonly health: HealthApi
  readonly #options: ResolvedOptions
  readonly #api: FunctionsApi
  readonly #link: RealtimeLink
  readonly #metrics: HealthMetrics
  readonly #retry: RetryEngine
  readonly #connectivity: Connectivity
  readonly #queue: MutationQueue
  readonly #scopes = new Map<string, PooledScope>()
  readonly #healthListeners = new Set<(health: Health) => void>()
  readonly #healthNotifier: Coalescer<true>
  readonly #detach: (() => void)[] = []
  readonly #trace: StoreTrace | undefined
  readonly #session: Revalidating<Session>
  readonly #menu: Revalidating<Menu>
  #menuNames = new Map<string, string>()
  #closed = false

  constructor(options: ResolvedOptions, internals: PlaterClientInternals) {
    this.#options = options
    this.#trace = internals.trace
    const clock = options.clock
    this.#retry = new RetryEngine(clock, options.random, options.retry)
    this.#api = new FunctionsApi({ ...options, fetch: this.#observedFetch(options.fetch) })
    this.#link = internals.link ?? realtimeJsLink({
      socket: (hooks) =>
        openRealtimeSocket(
          { ...options, shared: options.realtime, joinTimeoutMs: options.requestTimeoutMs },
          hooks,
        ),
      reconnect: options.reconnect,
      retry: this.#retry,
    })
    this.#connectivity = new Connectivity({
      clock,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      socketOpen: () => this.#link.open ?? false,
      silent: () => this.#link.reconnect?.(),
      changed: () => this.#connectivityChanged(),
      reachable: () => this.#retry.wake(),
    })
    const unwatch = this.#link.onAlive?.(() => this.#connectivity.socketAlive())
    if (unwatch) this.#detach.push(unwatch)
    this.#healthNotifier = new Coalescer<true>(clock, 100, 500, () => this.#notifyHealth())
    this.#metrics = new HealthMetrics(clock, () => this.#healthNotifier.push(true))
    this.#queue = new MutationQueue({
      ...options,
      retry: this.#retry,
      send: async (path, body, key) =>
        (await this.#api.request('POST', path, { body, headers: { 'idempotency-key': key } }))
          .body as MutationResult,
      context: () => this.#context(),
      versionOf: (type, id) => this.#versionOf(type, id),
      echoed: (mutation) =>
        [...this.#scopes.values()].every((scope) =>
          !scope.store?.loaded || echoedIn(scope.store.kind, scope.store.confirmed, mutation)
        ),
      changed: () => {
        for (const scope of this.#scopes.values()) scope.invalidate()
        this.#healthNotifier.push(true)
      },
      rolledBack: () => this.#metrics.rolledBack(),
      stale: (rows) => this.#resyncHolders(rows),
      newId: () => crypto.randomUUID(),
    })
    this.#session = new Revalidating((etag) => this.#api.session(etag), this.#metrics)
    this.#menu = new Revalidating((etag) => this.#api.menu(etag), this.#metrics, (menu) => {
      this.#menuNames = new Map(menu.items.map((item) => [item.id, item.name]))
    })
    void this.#restoreQueue()
    this.mutations = this.#mutationsApi()
    this.health = {
      get: () => this.#healthNow(),
      subscribe: (listener) => {
        this.#healthListeners.add(listener)
        return () => this.#healthListeners.delete(listener)
      },
    }
    this.#watchEnvironment(internals.environment ?? pageEnvironment())
  }

  session(options: { revalidate?: boolean } = {}): Promise<Session> {
    return this.#session.get(options.revalidate)
  }

  menu(options: { revalidate?: boolean } = {}): Promise<Menu> {
    return this.#menu.get(options.revalidate)
  }

  open<K extends ScopeKey>(key: K): HandleOf<K> {
    if (this.#closed) throw closedError()
    const id = scopeKeyId(key)
    let scope = this.#scopes.get(id)
    if (!scope?.holdsChannel) {
      const held = [...this.#scopes.values()].filter((s) => s.holdsChannel).length
      if (held >= this.#options.maxChannelsPerConnection) {
        throw new ChannelLimitError(this.#options.maxChannelsPerConnection)
      }
    }
    if (!scope) {
      const deps = {
        options: this.#options,
        clock: this.#options.clock,
        link: this.#link,
        api: this.#api,
        metrics: this.#metrics,
        queue: this.#queue,
        retry: this.#retry,
        offline: () => this.#connectivity.offline,
        trace: this.#trace,
        session: () => this.session(),
        context: () => this.#context(),
        changed: (_scope: PooledScope, data: boolean) => {
          if (data) this.#queue.reconcile()
          this.#healthNotifier.push(true)
        },
        disposed: (gone: PooledScope) => {
          if (this.#scopes.get(gone.id) === gone) this.#scopes.delete(gone.id)
        },
      }
      scope = key.scope === 'crew' ? new CrewScope(id, deps) : new Scope(id, key, deps)
      this.#scopes.set(id, scope)
    }
    scope.acquire()
    return (scope instanceof CrewScope ? crewHandle(scope, key) : handle(scope, key)) as HandleOf<K>
  }

  resync(): void {
    for (const scope of this.#scopes.values()) if (scope.holdsChannel) scope.resync()
  }

  refreshAuth(): Promise<void> {
    return this.#link.refreshAuth()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const detach of this.#detach) detach()
    for (const scope of [...this.#scopes.values()]) scope.dispose()
    this.#queue.close()
    this.#connectivity.close()
    this.#retry.close()
    this.#healthNotifier.cancel()
    await this.#link.close()
  }

  #mutationsApi(): Mutations {
    const api = { pending: () => this.#queue.pending } as Mutations
    for (const name of Object.keys(MUTATIONS) as MutationName[]) {
      // synchronous up to the optimistic change: the view shows it before the caller's next line
      ;(api as Record<string, unknown>)[name] = (args: never) => this.#queue.run(name, args)
    }
    return api
  }

  #context(): SpecContext {
    return {
      now: this.#options.clock.now(),
      staffId: this.#session.value?.staff.user_id ?? null,
      orderOfItem: (itemId) => {
        for (const scope of this.#scopes.values()) {
          const row = scope.store?.confirmed.item.get(itemId)
          if (!row) continue
          const orderId = (row.order_id ?? (row.row as { order_id?: string } | undefined)?.order_id) as
            | string
            | undefined
          if (orderId) return orderId
        }
        return undefined
      },
      menuItemName: (id) => this.#menuNames.get(id),
      resolveId: (id) => this.#queue.resolveId(id),
    }
  }

  #versionOf(type: EntityType, id: string): number | undefined {
    let version: number | undefined
    for (const scope of this.#scopes.values()) {
      const held = scope.store?.confirmed[type].get(id)?.version
      if (held !== undefined && (version === undefined || held > version)) version = held
    }
    return version
  }

  #resyncHolders(rows: { type: EntityType; id: string }[]): void {
    for (const scope of this.#scopes.values()) {
      if (rows.some((row) => scope.store?.confirmed[row.type].has(row.id))) scope.resync()
    }
  }

  async #restoreQueue(): Promise<void> {
    if (!this.#options.storage) return
    try {
      const user = userOf(await this.#options.accessToken())
      if (!user) return
      await this.#queue.restore(queueKey(this.#options.supabaseUrl, user))
    } catch {
      // no token yet or unreadable storage: nothing to restore
    }
  }

  #healthNow(): Health {
    const open = [...this.#scopes.values()].filter((scope) => scope.holdsChannel)
    return {
      status: healthStatus(open.map((scope) => scope.status), this.#connectivity),
      latencyMs: this.#metrics.latency(),
      messagesPerSecond: this.#metrics.messagesPerSecond(),
      reconnects: this.#metrics.reconnects,
      gapsHealed: this.#metrics.gapsHealed,
      resets: this.#metrics.resets,
      crewRejected: this.#metrics.crewRejected,
      cacheHitRate: this.#metrics.cacheHitRate(),
      duplicatesDropped: this.#metrics.duplicates,
      rollbacks: this.#metrics.rollbacks,
      pendingMutations: this.#queue.pending.length,
      scopes: open.map((scope) => ({
        topic: scope.topic ?? scope.id,
        status: scope.status,
        seq: scope.store?.seq ?? 0,
      })),
    }
  }

  #notifyHealth(): void {
    const health = this.#healthNow()
    for (const listener of [...this.#healthListeners]) listener(health)
  }

  /** Offline or back: every scope's status changed with it. */
  #connectivityChanged(): void {
    // offline: an idle feed makes no request of its own, so one catch-up per live scope is sent (and retried)
    // to notice the way back — else a single failed request of the app's would read offline for good
    if (this.#connectivity.offline) {
      for (const scope of this.#scopes.values()) {
        if (scope.holdsChannel && scope.store?.status === 'live') scope.resync()
      }
    }
    for (const scope of this.#scopes.values()) scope.statusChanged()
    this.#healthNotifier.push(true)
  }

  /** Wraps fetch: whether requests get answers at all is one of the status machine's inputs. */
  #observedFetch(fetchImpl: typeof fetch): typeof fetch {
    return async (input, init) => {
      let response: Response
      try {
        response = await fetchImpl(input, init)
      } catch (error) {
        if (!this.#closed) this.#connectivity.http(false)
        throw error
      }
      this.#connectivity.http(true)
      return response
    }
  }

  /** Browsers: the network's own word (`offline`/`online`), and a page shown again may have missed anything. */
  #watchEnvironment(environment: Environment): void {
    const { window: win, document: doc } = environment
    if (doc) {
      const onVisible = () => {
        if (doc.visibilityState === 'visible') this.resync()
      }
      doc.addEventListener('visibilitychange', onVisible)
      this.#detach.push(() => doc.removeEventListener('visibilitychange', onVisible))
    }
    if (win) {
      if (win.navigator?.onLine === false) this.#connectivity.browser(false)
      const onOffline = () => this.#connectivity.browser(false)
      const onOnline = () => {
        this.#connectivity.browser(true)
        this.#retry.wake()
        // anything may have been missed meanwhile: each scope reads catching_up until it has healed
        this.resync()
      }
      win.addEventListener('offline', onOffline)
      win.addEventListener('online', onOnline)
      this.#detach.push(() => {
        win.removeEventListener('offline', onOffline)
        win.removeEventListener('online', onOnline)
      })
    }
  }
}

/** The page the client runs in, if any (Node has no window events: nothing to listen to). */
function pageEnvironment(): Environment {
  const page = globalThis as { window?: Environment['window']; document?: Environment['document'] }
  return {
    window: page.document && page.window?.addEventListener ? page.window : undefined,
    document: page.document,
  }
}

/**
 * Where a user's offline queue is kept: per user and per project, the project's URL normalised (scheme and host
 * lower-cased, default port and trailing slashes dropped) so another spelling of it finds the same queue.
 */
function queueKey(supabaseUrl: string, user: string): string {
  let project = supabaseUrl
  try {
    const url = new URL(supabaseUrl)
    project = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  } catch {
    // not a URL: keyed as spelled
  }
  return `plater:mutations:${project}:${user}`
}

function crewHandle(scope: CrewScope, key: ScopeKey): CrewHandle {
  return Object.assign(handle<CrewView>(scope, key), {
    send: (event: string, payload: Record<string, unknown>) => scope.send(event, payload),
    track: (meta: Record<string, unknown> | null) => scope.track(meta),
  })
}

function handle<V>(scope: PooledScope, key: ScopeKey): ScopeHandle<V> {
  let released = false
  return {
    key,
    get topic() {
      return scope.topic
    },
    get status() {
      return scope.status
    },
    get error() {
      return scope.error ?? scope.store?.error ?? null
    },
    get seq() {
      return scope.store?.seq ?? 0
    },
    getView: () => scope.view() as V,
    subscribe: (listener) => scope.subscribe(listener),
    ready: () => scope.ready.then(() => scope.view() as V),
    release() {
      if (released) return
      released = true
      scope.release()
    },
  }
}

/** The `sub` of a JWT (whose queue a stored mutation belongs to); no verification needed for that. */
function userOf(token: string | null): string | null {
  const payload = token?.split('.')[1]
  if (!payload) return null
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown }
    return typeof json.sub === 'string' ? json.sub : null
  } catch {
    return null
  }
}
