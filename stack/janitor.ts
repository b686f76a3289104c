import { type Queryable, withDb } from './db-connection.ts'
import type { Logger } from './log.ts'

/**
 * Housekeeping the Supabase Realtime server does for each project, which our stack must do itself:
 * daily `realtime.messages` partitions from yesterday to today+3 (an insert with no partition for its day fails,
 * and `realtime.send` only warns), partitions older than 72 hours dropped; plus the domain's retention
 * (topic log, idempotency keys), which pg_cron runs on hosted Supabase.
 */
const PARTITION_DAYS_BEHIND = 1
const PARTITION_DAYS_AHEAD = 3
const RETENTION_HOURS = 72
const RUN_EVERY_MS = 60 * 60 * 1000

const DAY_MS = 24 * 60 * 60 * 1000

function utcDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10)
}

function partitionName(date: string): string {
  return `messages_${date.replaceAll('-', '_')}`
}

export interface PartitionChanges {
  created: string[]
  dropped: string[]
}

export async function maintainMessagePartitions(sql: Queryable, now = Date.now()): Promise<PartitionChanges> {
  const existing = new Set(
    (
      await sql<{ name: string }[]>`
        select child.relname as name
        from pg_inherits
        join pg_class child on child.oid = pg_inherits.inhrelid
        where pg_inherits.inhparent = 'realtime.messages'::regclass`
    ).map((row) => row.name),
  )

  const created: string[] = []
  for (let offset = -PARTITION_DAYS_BEHIND; offset <= PARTITION_DAYS_AHEAD; offset++) {
    const day = utcDate(now + offset * DAY_MS)
    const name = partitionName(day)
    if (existing.has(name)) continue
    const nextDay = utcDate(now + (offset + 1) * DAY_MS)
    await sql.unsafe(
      `create table if not exists realtime.${name} partition of realtime.messages
         for values from ('${day}') to ('${nextDay}');
       alter table realtime.${name} owner to supabase_realtime_admin;`,
    )
    created.push(name)
  }

  // Same rule as Realtime's delete_old_messages: drop a day once it is older than the date 72 hours ago.
  const cutoff = partitionName(utcDate(now - RETENTION_HOURS * 60 * 60 * 1000))
  const dropped: string[] = []
  for (const name of existing) {
    if (/^messages_\d{4}_\d{2}_\d{2}$/.test(name) && name < cutoff) {
      await sql.unsafe(`drop table if exists realtime.${name}`)
      dropped.push(name)
    }
  }
  return { created, dropped }
}

/** The domain's retention functions; a database whose migrations are not applied yet may lack them. */
const RETENTION_FUNCTIONS = ['prune_topic_log', 'prune_idempotency_keys']

/** Runs every retention function the migrations define; returns the names it ran. */
export async function runRetention(sql: Queryable): Promise<string[]> {
  const present = await sql<{ name: string }[]>`
    select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'plater_private' and p.proname = any(${RETENTION_FUNCTIONS}) order by p.proname`
  // names come from the constant list above, never from input
  for (const { name } of present) await sql.unsafe(`select plater_private.${name}()`)
  return present.map((row) => row.name)
}

export interface Janitor {
  stop(): void
}

/** Runs the housekeeping now (awaited, so start-up fails loudly if it cannot) and then every hour. */
export async function startJanitor(dbUrl: string, log: Logger): Promise<Janitor> {
  const runOnce = () =>
    withDb(dbUrl, 'janitor', async (sql) => {
      const { created, dropped } = await maintainMessagePartitions(sql)
      if (created.length > 0) log.debug('created partitions', { created })
      if (dropped.length > 0) log.info('dropped old partitions', { dropped })
      await runRetention(sql)
    })

  await runOnce()
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => log.warn('housekeeping failed; will retry next hour', { error }))
  }, RUN_EVERY_MS)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
