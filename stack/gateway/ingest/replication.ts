import { setTimeout as sleep } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import postgres, { type Sql } from 'postgres';
import type { Logger } from '../../log.ts';
import { isMessagesRelation, messageFromRow, type DatabaseMessage } from './message-row.ts';
import { decodePgOutput, decodeReplicationFrame, formatLsn, standbyStatusUpdate, type Relation } from './pgoutput.ts';

/**
 * Ingest: `realtime.messages` inserts, streamed by logical replication (pgoutput) from Realtime's
 * publication `supabase_realtime_messages_publication`, like the Realtime server does.
 *
 * Durable slot, not catch-up. Realtime uses a TEMPORARY slot, which dies with its connection: a Postgres
 * restart loses whatever commits between the old stream's end and the new slot's creation. Here the slot
 * is permanent for the gateway's lifetime and we remember the end LSN of the last transaction we fanned
 * out; after any disconnect (Postgres restart, crash recovery, network) we START_REPLICATION again from
 * that LSN, so every committed message arrives exactly once, in commit order, with no time-window query
 * against the table (inserted_at is the transaction's start, not its commit, so "since" queries miss
 * long transactions) and no de-duplication. The cost of a permanent slot is WAL retention while nobody
 * reads it, so it is dropped on clean shutdown, and a leftover from a crashed gateway is dropped and
 * recreated at start (nobody was subscribed to what it held; clients catch up by `seq`).
 */

const PUBLICATION = 'supabase_realtime_messages_publication';

export interface IngestOptions {
  readonly dbUrl: string;
  /** Pool for slot housekeeping (not the replication connection). */
  readonly sql: Sql;
  readonly slotName: string;
  readonly log: Logger;
  readonly onMessage: (message: DatabaseMessage) => void;
}

export interface IngestStatus {
  readonly connected: boolean;
  readonly slot: string;
  /** End LSN of the last transaction delivered (what a reconnect resumes from). */
  readonly lastLsn: string | null;
  /** Commit → fan-out delay of the last transaction, ms. */
  readonly lagMs: number | null;
  readonly lastCommitAt: string | null;
  readonly messages: number;
  readonly reconnects: number;
  /** Times the slot had to be recreated while running: a possible gap, recovered by clients via `seq`. */
  readonly slotRecreations: number;
}

const FEEDBACK_INTERVAL_MS = 1000;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

export class ReplicationIngest {
  readonly #options: IngestOptions;
  #lastLsn: bigint | null = null;
  #connected = false;
  #stopped = false;
  /** Resolves when stop() is called, so a session waiting on its stream ends at once. */
  readonly #stopping: Promise<void>;
  #stopRequested: () => void = () => {};
  #loop: Promise<void> | null = null;
  readonly #relations = new Map<number, Relation>();
  #lagMs: number | null = null;
  #lastCommitAt: number | null = null;
  #messages = 0;
  #reconnects = 0;
  #slotRecreations = 0;
  #slotCreated = false;

  constructor(options: IngestOptions) {
    this.#options = options;
    this.#stopping = new Promise((resolve) => (this.#stopRequested = resolve));
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  status(): IngestStatus {
    return {
      connected: this.#connected,
      slot: this.#options.slotName,
      lastLsn: this.#lastLsn === null ? null : formatLsn(this.#lastLsn),
      lagMs: this.#lagMs,
      lastCommitAt: this.#lastCommitAt === null ? null : new Date(this.#lastCommitAt).toISOString(),
      messages: this.#messages,
      reconnects: this.#reconnects,
      slotRecreations: this.#slotRecreations,
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopRequested();
    await this.#loop;
    await this.#dropSlot();
  }

  async #run(): Promise<void> {
    let backoff = BACKOFF_MIN_MS;
    while (!this.#stopped) {
      try {
        await this.#ensureSlot();
        await this.#streamOnce();
        backoff = BACKOFF_MIN_MS;
      } catch (error) {
        if (!this.#stopped) this.#options.log.warn('replication unavailable, retrying', { error, inMs: backoff });
      }
      this.#connected = false;
      if (this.#stopped) break;
      this.#reconnects++;
      await Promise.race([sleep(backoff), this.#stopping]);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
  }

  async #ensureSlot(): Promise<void> {
    const { sql, slotName, log } = this.#options;
    const [publication] = await sql`select 1 from pg_publication where pubname = ${PUBLICATION}`;
    if (!publication) throw new Error(`publication ${PUBLICATION} does not exist (the stack bootstrap creates it)`);
    const [slot] = await sql<{ active: boolean; active_pid: number | null }[]>`
      select active, active_pid from pg_replication_slots where slot_name = ${slotName}`;
    if (slot?.active) throw new Error(`replication slot ${slotName} is in use by backend ${slot.active_pid}`);
    if (slot && this.#slotCreated) return;
    if (slot) {
      log.info('dropping a replication slot left by a previous gateway', { slot: slotName });
      await sql`select pg_drop_replication_slot(${slotName})`;
    } else if (this.#slotCreated) {
      this.#slotRecreations++;
      this.#lastLsn = null;
      log.warn('replication slot vanished; recreated it (messages committed meanwhile are not streamed)', {
        slot: slotName,
      });
    }
    const [created] = await sql<{ lsn: string }[]>`
      select lsn::text from pg_create_logical_replication_slot(${slotName}, 'pgoutput')`;
    this.#slotCreated = true;
    log.debug('replication slot created', { slot: slotName, lsn: created?.lsn });
  }

  /** One replication session; resolves when the connection ends for any reason. */
  async #streamOnce(): Promise<void> {
    const { dbUrl, slotName, log } = this.#options;
    const repl = postgres(dbUrl, {
      max: 1,
      fetch_types: false,
      idle_timeout: 0,
      max_lifetime: null,
      connect_timeout: 5,
      onnotice: () => {},
      connection: { application_name: 'plater_realtime_replication', replication: 'database' } as Record<
        string,
        string
      >,
    });
    try {
      const start = formatLsn(this.#lastLsn ?? 0n);
      // postgres.js types the CopyBoth stream as Writable; it is a Duplex (CopyData in both directions).
      const stream = (await repl
        .unsafe(
          `START_REPLICATION SLOT "${slotName}" LOGICAL ${start} ` +
            `(proto_version '1', publication_names '${PUBLICATION}')`,
        )
        .writable()) as unknown as Duplex;
      this.#connected = true;
      this.#relations.clear();
      log.info('replication streaming', { slot: slotName, from: start });
      const feedback = setInterval(() => this.#acknowledge(stream), FEEDBACK_INTERVAL_MS);
      stream.on('data', (data: Buffer) => this.#onData(stream, data));
      const ended = new Promise<void>((resolve) => {
        stream.on('error', (error: Error) => {
          if (!this.#stopped) log.warn('replication stream ended', { error });
          resolve();
        });
        stream.on('close', resolve);
      });
      await Promise.race([ended, this.#stopping]);
      clearInterval(feedback);
      stream.destroy();
    } finally {
      await repl.end({ timeout: 1 }).catch(() => {});
    }
  }

  #onData(stream: Duplex, data: Buffer): void {
    const frame = decodeReplicationFrame(data);
    if (frame === null) return;
    if (frame.kind === 'keepalive') {
      // The server has sent us everything up to walEnd, and we handle frames in order: nothing before it
      // is pending, so it is safe to resume from there (and to let the slot release that WAL).
      if (this.#lastLsn === null || frame.walEnd > this.#lastLsn) this.#lastLsn = frame.walEnd;
      if (frame.replyRequested) this.#acknowledge(stream);
      return;
    }
    const message = decodePgOutput(frame.message);
    switch (message.tag) {
      case 'relation':
        this.#relations.set(message.relation.id, message.relation);
        return;
      case 'insert': {
        const relation = this.#relations.get(message.relationId);
        if (!relation || !isMessagesRelation(relation)) return;
        const row = messageFromRow(relation, message.values);
        if (!row) return;
        this.#messages++;
        this.#options.onMessage(row);
        return;
      }
      case 'commit': {
        const now = Date.now();
        this.#lastLsn = message.endLsn;
        this.#lagMs = now - message.commitTimeMs;
        this.#lastCommitAt = message.commitTimeMs;
        return;
      }
      case 'other':
        return;
    }
  }

  #acknowledge(stream: Duplex): void {
    if (this.#lastLsn !== null && !stream.destroyed) stream.write(standbyStatusUpdate(this.#lastLsn));
  }

  async #dropSlot(): Promise<void> {
    if (!this.#slotCreated) return;
    const { sql, slotName, log } = this.#options;
    // The walsender lets go of the slot a moment after the connection closes.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots
                   where slot_name = ${slotName} and not active`;
        const [left] = await sql`select 1 from pg_replication_slots where slot_name = ${slotName}`;
        if (!left) return;
      } catch (error) {
        log.warn('could not drop the replication slot', { slot: slotName, error });
        return;
      }
      await sleep(100);
    }
  }
}
