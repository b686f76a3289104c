import { Backoff } from './backoff.ts';
import { type Clock, sleep } from './clock.ts';
import { Coalescer } from './coalescer.ts';
import { emptyMaps } from './entities.ts';
import { ScopeAccessError } from './errors.ts';
import type { HealthMetrics, HealthStatus } from './health.ts';
import type { FunctionsApi } from './http.ts';
import type { LinkChannel, LinkStatus, RealtimeLink } from './link.ts';
import { overlay } from './mutations/overlay.ts';
import type { MutationQueue } from './mutations/queue.ts';
import type { SpecContext } from './mutations/specs.ts';
import type { EntityType, Session, TopicKind } from './payloads.ts';
import { type ScopeKey, topicOf, VIEW_BUILDERS } from './scopes.ts';
import { type StoreTrace, TopicStore } from './store.ts';
import type { ResolvedOptions } from './config.ts';

export type ScopeStatus = 'loading' | 'live' | 'catching_up' | 'error';

/** One notification: what changed since the last one (several store changes coalesced). */
export interface ScopeBatch {
  /** The data was replaced (a snapshot): re-read everything. */
  reset: boolean;
  /** Rows that changed (confirmed or optimistic), deduplicated. */
  changes: { type: EntityType; id: string }[];
}

export interface ScopeDeps {
  options: ResolvedOptions;
  clock: Clock;
  link: RealtimeLink;
  api: FunctionsApi;
  metrics: HealthMetrics;
  queue: MutationQueue;
  trace?: StoreTrace;
  session(): Promise<Session>;
  context(): SpecContext;
  /** Status or data changed (health listeners, mutation reconciliation). */
  changed(scope: PooledScope, data: boolean): void;
  disposed(scope: PooledScope): void;
}

type Change = { reset: boolean; changes: { type: EntityType; id: string }[] };

/** What the client's pool needs of a scope, whatever its kind (topic scopes here, `crew` in crew.ts). */
export interface PooledScope {
  readonly id: string;
  readonly kind: TopicKind | 'crew';
  readonly store: TopicStore | null;
  readonly topic: string | null;
  readonly refs: number;
  readonly holdsChannel: boolean;
  readonly status: ScopeStatus;
  readonly health: HealthStatus;
  readonly error: Error | null;
  readonly ready: Promise<void>;
  acquire(): void;
  release(): void;
  dispose(): void;
  subscribe(listener: (batch: ScopeBatch) => void): () => void;
  view(): unknown;
  invalidate(): void;
  resync(): void;
}

/**
 * One scope of the pool: its topic's store, the channel that feeds it (held while someone holds the scope),
 * polling while the channel is down, the derived view and its listeners.
 */
export class Scope implements PooledScope {
  refs = 0;
  topic: string | null = null;
  kind: TopicKind;
  scopeId: string | null = null;
  store: TopicStore | null = null;
  error: Error | null = null;
  joined = false;
  everJoined = false;
  polling = false;

  #channel: LinkChannel | null = null;
  #downTimer: unknown = null;
  #pollTimer: unknown = null;
  #idleTimer: unknown = null;
  #stamp = 0;
  #view: { stamp: number; value: unknown } | null = null;
  #listeners = new Set<(batch: ScopeBatch) => void>();
  #coalescer: Coalescer<Change>;
  #started = false;
  #disposed = false;
  #ready: Promise<void>;
  #settleReady!: { resolve(): void; reject(error: Error): void };
  #pollBackoff: Backoff;

  constructor(
    readonly id: string,
    readonly key: Exclude<ScopeKey, { scope: 'crew' }>,
    private readonly deps: ScopeDeps,
  ) {
    this.kind = key.scope;
    this.#coalescer = new Coalescer<Change>(deps.clock, deps.options.coalesceMs, deps.options.coalesceMaxWaitMs, (batch) =>
      this.#deliver(batch));
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = { resolve, reject };
    });
    this.#ready.catch(() => {}); // observed through status/error as well
    this.#pollBackoff = new Backoff(deps.options.retry, deps.options.random);
  }

  /** Resolves once the scope is first live: data loaded, channel joined (or polling) and caught up. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get holdsChannel(): boolean {
    return this.refs > 0;
  }

  get status(): ScopeStatus {
    if (this.error || this.store?.status === 'error') return 'error';
    if (!this.store?.loaded) return 'loading';
    if (this.store.status !== 'live' || (!this.joined && !this.polling)) return 'catching_up';
    return 'live';
  }

  get health(): HealthStatus {
    if (this.status === 'error') return 'degraded';
    if (this.polling) return this.store?.failing ? 'offline' : 'polling';
    if (!this.everJoined) return 'connecting';
    return this.joined && this.store?.status === 'live' ? 'live' : 'degraded';
  }

  /** Someone holds the scope: start it, or take it back from idle (its data was kept). */
  acquire(): void {
    this.refs++;
    if (this.refs > 1) return;
    if (this.#idleTimer !== null) {
      this.deps.clock.clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    if (!this.#started) {
      this.#started = true;
      void this.#start();
    } else if (this.store && !this.#channel && !this.error) {
      if (this.store.loaded) this.deps.metrics.reused();
      this.#join();
    }
  }

  release(): void {
    if (this.refs === 0) return;
    this.refs--;
    if (this.refs > 0) return;
    this.#leave();
    if (!this.deps.options.pooling || this.deps.options.cacheTtlMs <= 0 || this.error) {
      this.dispose();
      return;
    }
    this.#idleTimer = this.deps.clock.setTimeout(() => this.dispose(), this.deps.options.cacheTtlMs);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#leave();
    if (this.#idleTimer !== null) this.deps.clock.clearTimeout(this.#idleTimer);
    this.#coalescer.cancel();
    this.store?.close();
    this.#listeners.clear();
    this.deps.disposed(this);
  }

  subscribe(listener: (batch: ScopeBatch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  view(): unknown {
    if (this.#view && this.#view.stamp === this.#stamp) return this.#view.value;
    const ctx = this.deps.context();
    const confirmed = this.store?.confirmed ?? emptyMaps();
    const { rows, pending } = overlay(confirmed, this.kind, this.scopeId, this.deps.queue.pending, ctx);
    const value = VIEW_BUILDERS[this.kind]({ rows, pending, scopeId: this.scopeId, now: ctx.now });
    this.#view = { stamp: this.#stamp, value };
    return value;
  }

  /** Pending mutations changed: the view must be rebuilt. */
  invalidate(): void {
    this.#touch({ reset: false, changes: [] });
  }

  /** Regained visibility or network: fetch whatever was missed. */
  resync(): void {
    if (this.store && !this.error) void this.store.resync();
  }

  async #start(): Promise<void> {
    const backoff = new Backoff(this.deps.options.retry, this.deps.options.random);
    let session: Session;
    for (;;) {
      try {
        session = await this.deps.session();
        break;
      } catch (error) {
        if (this.#disposed) return;
        const status = (error as { status?: number }).status ?? 0;
        const code = (error as { code?: string }).code;
        // an expired or not yet refreshed token may be fine next time; other 4xx will not change
        if (status >= 400 && status < 500 && code !== 'token_expired' && code !== 'invalid_jwt') {
          this.#fail(error as Error);
          return;
        }
        await sleep(this.deps.clock, backoff.next());
      }
    }
    if (this.#disposed) return;
    const { topic, scopeId } = topicOf(this.key, session);
    this.topic = topic;
    this.scopeId = scopeId;
    const store = new TopicStore({
      topic,
      kind: this.kind,
      api: this.deps.api,
      clock: this.deps.clock,
      random: this.deps.options.random,
      metrics: this.deps.metrics,
      retry: this.deps.options.retry,
      trace: this.deps.trace,
    });
    this.store = store;
    store.onChange((change) => this.#touch({ reset: change.reset, changes: change.entities }, true));
    store.onStatus((status) => {
      if (status === 'error' && store.error) this.#settleReady.reject(store.error);
      this.#touch({ reset: false, changes: [] });
    });
    if (this.refs > 0) this.#join();
    void store.resync();
  }

  #join(): void {
    if (!this.topic || this.#channel) return;
    const store = this.store!;
    this.#channel = this.deps.link.join(this.topic, {
      message: (_event, payload) => store.receive(payload as Record<string, unknown>),
      status: (status, reason) => this.#linkStatus(status, reason),
    });
    this.#armPolling();
  }

  #leave(): void {
    this.#channel?.leave();
    this.#channel = null;
    this.joined = false;
    this.#stopPolling();
    if (this.#downTimer !== null) this.deps.clock.clearTimeout(this.#downTimer);
    this.#downTimer = null;
  }

  #linkStatus(status: LinkStatus, reason?: string): void {
    if (status === 'joined') {
      if (this.everJoined && !this.joined) this.deps.metrics.reconnected();
      this.everJoined = true;
      this.joined = true;
      if (this.#downTimer !== null) this.deps.clock.clearTimeout(this.#downTimer);
      this.#downTimer = null;
      this.#stopPolling();
      // whatever was published while the channel was not joined is fetched now
      void this.store?.resync();
      this.deps.queue.wake();
    } else if (status === 'down') {
      this.joined = false;
      this.#armPolling();
    } else {
      this.#channel = null;
      this.joined = false;
      this.#stopPolling();
      this.#fail(new ScopeAccessError('forbidden', reason ?? 'the server refused the channel join', 403));
      return;
    }
    this.#touch({ reset: false, changes: [] });
  }

  /** If the channel stays down past `pollAfterMs`, poll. */
  #armPolling(): void {
    if (this.joined || this.polling || this.#downTimer !== null) return;
    this.#downTimer = this.deps.clock.setTimeout(() => {
      this.#downTimer = null;
      if (!this.joined && this.#channel) this.#startPolling();
    }, this.deps.options.pollAfterMs);
  }

  #startPolling(): void {
    this.polling = true;
    this.#touch({ reset: false, changes: [] });
    const poll = () => {
      this.#pollTimer = null;
      if (!this.polling || !this.store) return;
      void this.store.resync().then(() => {
        if (!this.polling) return;
        const wait = this.store?.failing ? this.#pollBackoff.next() : this.deps.options.pollIntervalMs;
        if (!this.store?.failing) {
          this.#pollBackoff.reset();
          this.deps.queue.wake();
        }
        this.#pollTimer = this.deps.clock.setTimeout(poll, wait);
      });
    };
    poll();
  }

  #stopPolling(): void {
    if (!this.polling) return;
    this.polling = false;
    if (this.#pollTimer !== null) this.deps.clock.clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }

  #fail(error: Error): void {
    this.error = error;
    this.#settleReady.reject(error);
    this.#touch({ reset: false, changes: [] });
  }

  #touch(change: Change, data = false): void {
    if (this.#disposed) return;
    if (this.status === 'live') this.#settleReady.resolve();
    this.#stamp++;
    this.deps.changed(this, data);
    if (this.#listeners.size > 0) this.#coalescer.push(change);
  }

  #deliver(batch: Change[]): void {
    const seen = new Set<string>();
    const changes: ScopeBatch['changes'] = [];
    let reset = false;
    for (const change of batch) {
      reset ||= change.reset;
      for (const ref of change.changes) {
        const key = `${ref.type}:${ref.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        changes.push(ref);
      }
    }
    for (const listener of [...this.#listeners]) listener({ reset, changes });
  }
}
