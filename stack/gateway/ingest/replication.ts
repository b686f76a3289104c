import type { Duplex } from 'node:stream'
import postgres, { type Sql } from 'postgres'
import { Backoff, type BackoffOptions } from '../../../shared/backoff.ts'
import { type Clock, sleep, systemClock } from '../../../shared/clock.ts'
import type { Logger } from '../../log.ts'
import type { DatabaseMessage } from './message-row.ts'
import { decodePgOutput, decodeReplicationFrame, formatLsn, standbyStatusUpdate } from './pgoutput.ts'
import { TransactionReader } from './transactions.ts'

/**
 * Ingest: `realtime.messages` inserts, streamed by logical replication (pgoutput) from Realtime's
 * publication `supabase_realtime_messages_publication`, like the Realtime server does.
 *
 * Durable slot, not catch-up. Realtime uses a TEMPORARY slot, which dies with its connection: a Postgres
 * restart loses whatever commits between the old stream's end and the new slot's creation. Here the slot
 * is permanent for the gateway's lifetime and we remember the end LSN of the last transaction we received;
 * after any disconnect (Postgres restart, crash recovery, network) we START_REPLICATION again from that LSN,
 * so every committed message arrives, in commit order, with no time-window query against the table
 * (inserted_at is the transaction's start, not its commit, so "since" queries miss long transactions).
 * Resuming is at-least-once — a transaction cut off mid-stream comes again whole — and TransactionReader
 * skips what was already fanned out, so each message is delivered once. The cost of a permanent slot is
 * WAL retention while nobody reads it, so it is dropped on clean shutdown, and a leftover from a crashed
 * gateway is dropped and recreated at start (nobody was subscribed to what it held; clients catch up by `seq`).
 */

const PUBLICATION = 'supabase_realtime_messages_publication'

export interface IngestOptions {
  readonly dbUrl: string
  /** Pool for slot housekeeping (not the replication connection). */
  readonly sql: Sql
  readonly slotName: string
  readonly log: Logger
  /** The gateway's clock: the reconnect waits and the commit → fan-out lag are measured on it. */
  readonly clock: Clock
  readonly onMessage: (message: DatabaseMessage) => void
  /**
   * The slot had to be re-created while running (the database was re-created, or the slot dropped): what was
   * committed in between is never streamed, so every subscriber has to catch up. Called once the new slot exists.
   */
  readonly onStreamGap: () => void
  /**
   * How long the stream may be down (from the start, or from its end) before `onDown`; a stream that answers
   * nothing for as long (at least three feedback rounds) is ended and counts as down too.
   */
  readonly downAfterMs: number
  /** The stream has been down for `downAfterMs`; `down` stays true until it streams again. */
  readonly onDown: () => void
}

export interface IngestStatus {
  readonly connected: boolean
  readonly slot: string
  /** End LSN of the last transaction delivered (what a reconnect resumes from). */
  readonly lastLsn: string | null
  /** Commit → fan-out delay of the last transaction, ms. */
  readonly lagMs: number | null
  readonly lastCommitAt: string | null
  readonly messages: number
  readonly reconnects: number
  /** Times the slot had to be recreated while running: a possible gap, so every channel was shut to catch up. */
  readonly slotRecreations: number
  /** Messages a resumed stream sent again after they had been fanned out, and that were not sent twice. */
  readonly duplicatesSkipped: number
  /** Down past `downAfterMs`: every channel was shut and joins are refused until the stream is back. */
  readonly down: boolean
}

const FEEDBACK_INTERVAL_MS = 1000
/** A stream is silent only past a few answered feedbacks' worth, so one late keepalive never ends it. */
const SILENCE_FEEDBACK_ROUNDS = 3
/** Reconnects: 100 ms doubling to 5 s, from the start again once a stream has run. One gateway: no jitter. */
const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 5000, floorRatio: 1 }

export class ReplicationIngest {
  readonly #options: IngestOptions
  readonly #reader = new TransactionReader()
  #connected = false
  #stopped = false
  /** Resolves when stop() is called, so a session waiting on its stream ends at once. */
  readonly #stopping: Promise<void>
  #stopRequested: () => void = () => {}
  #loop: Promise<void> | null = null
  #reconnects = 0
  #slotRecreations = 0
  #slotCreated = false
  #down = false
  #cancelDownTimer: (() => void) | null = null

  constructor(options: IngestOptions) {
    this.#options = options
    this.#stopping = new Promise((resolve) => (this.#stopRequested = resolve))
  }

  start(): void {
    this.#loop ??= this.#run()
  }

  /** Down past `downAfterMs`: nothing committed reaches a subscriber until the stream is back. */
  get down(): boolean {
    return this.#down
  }

  status(): IngestStatus {
    const reader = this.#reader
    return {
      connected: this.#connected,
      slot: this.#options.slotName,
      lastLsn: reader.resumeLsn === null ? null : formatLsn(reader.resumeLsn),
      lagMs: reader.lagMs,
      lastCommitAt: reader.lastCommitMs === null ? null : new Date(reader.lastCommitMs).toISOString(),
      messages: reader.messages,
      reconnects: this.#reconnects,
      slotRecreations: this.#slotRecreations,
      duplicatesSkipped: reader.duplicatesSkipped,
      down: this.#down,
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#cancelDownTimer?.()
    this.#stopRequested()
    await this.#loop
    await this.#dropSlot()
  }

  async #run(): Promise<void> {
    const { clock, log } = this.#options
    const backoff = new Backoff(RECONNECT_BACKOFF, Math.random)
    while (!this.#stopped) {
      this.#armDownTimer()
      let failure: unknown
      try {
        await this.#ensureSlot()
        await this.#streamOnce()
        backoff.reset()
      } catch (error) {
        failure = error
      }
      this.#connected = false
      if (this.#stopped) break
      const delay = backoff.next()
      if (failure !== undefined) {
        log.warn('replication unavailable, retrying', { error: failure, inMs: delay })
      }
      this.#reconnects++
      await Promise.race([sleep(clock, delay), this.#stopping])
    }
  }

  async #ensureSlot(): Promise<void> {
    const { sql, slotName, log } = this.#options
    const [publication] = await sql`select 1 from pg_publication where pubname = ${PUBLICATION}`
    if (!publication) {
      throw new Error(`publication ${PUBLICATION} does not exist (the stack bootstrap creates it)`)
    }
    const [slot] = await sql<{ active: boolean; active_pid: number | null }[]>`
      select active, active_pid from pg_replication_slots where slot_name = ${slotName}`
    if (slot?.active) throw new Error(`replication slot ${slotName} is in use by backend ${slot.active_pid}`)
    if (slot && this.#slotCreated) return
    if (slot) {
      log.info('dropping a replication slot left by a previous gateway', { slot: slotName })
      await sql`select pg_drop_replication_slot(${slotName})`
    } else if (this.#slotCreated) {
      this.#slotRecreations++
      this.#reader.forgetPosition()
    }
    const [created] = await sql<{ lsn: string }[]>`
      select lsn::text from pg_create_logical_replication_slot(${slotName}, 'pgoutput')`
    log.debug('replication slot created', { slot: slotName, lsn: created?.lsn })
    if (this.#slotCreated) {
      // only now: a subscriber that catches up after this point misses nothing, the new slot streams the rest
      log.warn('replication slot vanished; recreated it (what was committed meanwhile is not streamed)', {
        slot: slotName,
      })
      this.#options.onStreamGap()
    }
    this.#slotCreated = true
  }

  /** One replication session; resolves when the connection ends for any reason. */
  async #streamOnce(): Promise<void> {
    const { dbUrl, slotName, log } = this.#options
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
    })
    try {
      const start = formatLsn(this.#reader.resumeLsn ?? 0n)
      // postgres.js types the CopyBoth stream as Writable; it is a Duplex (CopyData in both directions).
      const stream = (await repl
        .unsafe(
          `START_REPLICATION SLOT "${slotName}" LOGICAL ${start} ` +
            `(proto_version '1', publication_names '${PUBLICATION}')`,
        )
        .writable()) as unknown as Duplex
      this.#connected = true
      this.#streaming()
      this.#reader.startSession()
      log.info('replication streaming', { slot: slotName, from: start })
      // Standby feedback keeps the walsender from timing the stream out, and asks it for a keepalive: a stream
      // that answers nothing for `downAfterMs` is one whose server froze or whose network dropped without a word,
      // which no socket error would ever report. On the wall clock, whatever clock the gateway decides by (a
      // test's may stand still).
      const silentAfterMs = Math.max(
        this.#options.downAfterMs,
        SILENCE_FEEDBACK_ROUNDS * FEEDBACK_INTERVAL_MS,
      )
      // Frames are counted, not timed: the clock is read once a round, never per message.
      let frames = 0
      let framesSeen = 0
      let heardAt = Date.now()
      const feedback = setInterval(() => {
        const now = Date.now()
        if (frames !== framesSeen) {
          framesSeen = frames
          heardAt = now
        }
        const silentMs = now - heardAt
        if (silentMs <= silentAfterMs) return this.#acknowledge(stream, true)
        log.warn('replication stream silent; reconnecting', { silentMs })
        this.#connected = false
        this.#declareDown()
        stream.destroy()
      }, FEEDBACK_INTERVAL_MS)
      stream.on('data', (data: Buffer) => {
        frames++
        this.#onData(stream, data)
      })
      const ended = new Promise<void>((resolve) => {
        stream.on('error', (error: Error) => {
          if (!this.#stopped) log.warn('replication stream ended', { error })
          resolve()
        })
        stream.on('close', resolve)
      })
      await Promise.race([ended, this.#stopping])
      clearInterval(feedback)
      stream.destroy()
    } finally {
      await repl.end({ timeout: 1 }).catch(() => {})
    }
  }

  /** Not streaming from now on: unless a stream starts within `downAfterMs`, the stream is down. */
  #armDownTimer(): void {
    if (this.#cancelDownTimer || this.#down) return
    const { clock, downAfterMs } = this.#options
    const timer = clock.setTimeout(() => {
      this.#cancelDownTimer = null
      if (!this.#connected) this.#declareDown()
    }, downAfterMs)
    this.#cancelDownTimer = () => clock.clearTimeout(timer)
  }

  #declareDown(): void {
    if (this.#down || this.#stopped) return
    this.#down = true
    this.#options.onDown()
  }

  #streaming(): void {
    this.#cancelDownTimer?.()
    this.#cancelDownTimer = null
    if (this.#down) this.#options.log.info('replication streaming again; joins are admitted')
    this.#down = false
  }

  #onData(stream: Duplex, data: Buffer): void {
    const frame = decodeReplicationFrame(data)
    if (frame === null) return
    if (frame.kind === 'keepalive') {
      // The server has sent us everything up to walEnd, and we handle frames in order: nothing before it
      // is pending, so it is safe to resume from there (and to let the slot release that WAL).
      this.#reader.keepalive(frame.walEnd)
      if (frame.replyRequested) this.#acknowledge(stream)
      return
    }
    const message = this.#reader.read(decodePgOutput(frame.message), this.#options.clock.now())
    if (message) this.#options.onMessage(message)
  }

  /** Before the first position is known, 0: the walsender ignores an invalid position and still answers. */
  #acknowledge(stream: Duplex, replyRequested = false): void {
    if (stream.destroyed) return
    stream.write(standbyStatusUpdate(this.#reader.resumeLsn ?? 0n, this.#options.clock.now(), replyRequested))
  }

  async #dropSlot(): Promise<void> {
    if (!this.#slotCreated) return
    const { sql, slotName, log } = this.#options
    // The walsender lets go of the slot a moment after the connection closes.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots
                   where slot_name = ${slotName} and not active`
        const [left] = await sql`select 1 from pg_replication_slots where slot_name = ${slotName}`
        if (!left) return
      } catch (error) {
        log.warn('could not drop the replication slot', { slot: slotName, error })
        return
      }
      await sleep(systemClock, 100) // Postgres's own moment, whatever clock the gateway decides by
    }
  }
}
