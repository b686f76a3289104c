/**
 * The client's view of the realtime socket: join a private topic, hear its broadcasts and its join state.
 * `supabase-link.ts` implements it on @supabase/supabase-js; unit tests drive a fake.
 */
export type LinkStatus =
  /** Joined (again, after a reconnect): anything may have been missed meanwhile. */
  | 'joined'
  /** Not joined now; the socket retries by itself. */
  | 'down'
  /** The server refused the join for good (no right to read the topic). */
  | 'refused';

export interface LinkHandlers {
  message(event: string, payload: unknown): void;
  status(status: LinkStatus, reason?: string): void;
  /** Presence state after every change (presence channels only): key → the metas tracked under it. */
  presence?(state: Record<string, Record<string, unknown>[]>): void;
}

export interface LinkChannel {
  leave(): void;
  /** A broadcast to the topic's other subscribers (topics that allow client writes, e.g. `crew`). */
  send(event: string, payload: Record<string, unknown>): Promise<void>;
  /** This client's presence on the topic (tracked again after every rejoin); `null` untracks. */
  track(meta: Record<string, unknown> | null): Promise<void>;
}

export interface JoinOptions {
  /** Join with presence, under this key. */
  presenceKey?: string;
}

export interface RealtimeLink {
  join(topic: string, handlers: LinkHandlers, options?: JoinOptions): LinkChannel;
  /** The access token changed: pass it to the socket and its channels now. */
  refreshAuth(): Promise<void>;
  close(): Promise<void>;
}
