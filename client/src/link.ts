/**
 * The client's view of the realtime socket: join a private topic, hear its broadcasts and its join state.
 * `realtime-js-link.ts` implements it on @supabase/realtime-js; unit tests drive a fake.
 */
export type LinkStatus =
  /** Joined (again, after a reconnect): anything may have been missed meanwhile. */
  | 'joined'
  /** Not joined now; the socket retries by itself. */
  | 'down'
  /** The server refused the join for good (no right to read the topic). */
  | 'refused'

export interface LinkHandlers {
  message(event: string, payload: unknown): void
  status(status: LinkStatus, reason?: string): void
  /** Presence state after every change (presence channels only): key → the metas tracked under it. */
  presence?(state: Record<string, Record<string, unknown>[]>): void
}

export interface LinkChannel {
  leave(): void
  /** A broadcast to the topic's other subscribers (topics that allow client writes, e.g. `crew`). */
  send(event: string, payload: Record<string, unknown>): Promise<void>
  /** This client's presence on the topic (tracked again after every rejoin); `null` untracks. */
  track(meta: Record<string, unknown> | null): Promise<void>
}

export interface JoinOptions {
  /** Join with presence, under this key. */
  presenceKey?: string
}

export interface RealtimeLink {
  /**
   * Joins, and keeps the topic joined: rejoined after reconnects, and re-created after the server closed it
   * (an expired token) once a valid token exists. Only a refusal (`refused`) ends it.
   */
  join(topic: string, handlers: LinkHandlers, options?: JoinOptions): LinkChannel
  /** The access token changed: pass it to the socket and its channels now, and rejoin what it shut out. */
  refreshAuth(): Promise<void>
  /*
   * The status machine's view of the socket (status.ts). A link without them (a test double, a bench) is
   * never taken for silent: the browser's events and HTTP failures still say when it is offline.
   */
  /** Signs of life of the socket (a heartbeat reply, a join, a message); returns unsubscribe. */
  onAlive?(listener: () => void): () => void
  /** The socket believes it is open. */
  readonly open?: boolean
  /** The socket went silent: tear it down and connect again (its channels go down and rejoin). */
  reconnect?(): void
  close(): Promise<void>
}
