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
}

export interface LinkChannel {
  leave(): void;
}

export interface RealtimeLink {
  join(topic: string, handlers: LinkHandlers): LinkChannel;
  /** The access token changed: pass it to the socket and its channels now. */
  refreshAuth(): Promise<void>;
  close(): Promise<void>;
}
