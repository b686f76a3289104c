import { processArgs, processSnapshot, processStat } from '../../stack/testing/index.ts'
import type { Sql } from 'postgres'

/**
 * CPU used by ONE Postgres cluster, split by what its processes do, from /proc (Linux). On a machine where
 * several stacks run, counting every process named `postgres` would charge other clusters' work to this one;
 * here only the postmaster behind our connection and its children count. Children that exit during the window
 * (autovacuum workers, backends of closed connections) are charged through the postmaster's cumulative
 * children time, as "exited". Walsenders other than the given ones (another gateway decoding the same
 * WAL, e.g. the one `npm start` runs beside a benchmark's own) are left out: hosted Realtime decodes once.
 */
export type PostgresCpu = Record<
  'backends' | 'walsenders' | 'autovacuum' | 'checkpoints' | 'other' | 'exited',
  number
>

function kind(pid: number): keyof PostgresCpu {
  const title = processArgs(pid)?.join(' ')
  if (title === undefined) return 'other'
  if (title.includes('walsender')) return 'walsenders'
  if (title.includes('autovacuum')) return 'autovacuum'
  if (title.includes('checkpointer') || title.includes('background writer') || title.includes('walwriter')) {
    return 'checkpoints'
  }
  // a client backend's title is `postgres: <user> <db> <host>(<port>) <state>`
  if (/postgres: \S+ \S+ \d+\.\d+\.\d+\.\d+\(\d+\)/.test(title)) return 'backends'
  return 'other'
}

/** The postmaster's pid: the parent of the backend serving this connection. */
export async function postmasterPid(sql: Sql): Promise<number> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`
  const backend = processStat(row!.pid)
  if (!backend) throw new Error('Postgres is not on this machine: cannot read its CPU from /proc')
  return backend.parent
}

/** The walsender pids serving replication slots other than `slot`: other consumers of the same WAL. */
export async function otherDecoders(sql: Sql, slot: string): Promise<Set<number>> {
  const rows = await sql<{ pid: number }[]>`
    select active_pid as pid from pg_replication_slots where active_pid is not null and slot_name <> ${slot}`
  return new Set(rows.map((r) => r.pid))
}

/** CPU seconds so far of the cluster's processes, by kind, leaving out the `ignored` pids. */
export function postgresCpu(postmaster: number, ignored: ReadonlySet<number> = new Set()): PostgresCpu {
  const cpu: PostgresCpu = { backends: 0, walsenders: 0, autovacuum: 0, checkpoints: 0, other: 0, exited: 0 }
  const { stats, children } = processSnapshot()
  const own = stats.get(postmaster)
  if (own) {
    cpu.other += own.cpuSeconds
    cpu.exited += own.reapedChildrenCpuSeconds
  }
  for (const pid of children.get(postmaster) ?? []) {
    if (ignored.has(pid)) continue
    cpu[kind(pid)] += stats.get(pid)!.cpuSeconds
  }
  return cpu
}

export function cpuDelta(after: PostgresCpu, before: PostgresCpu): PostgresCpu & { total: number } {
  const delta = Object.fromEntries(
    Object.keys(after).map((k) => [k, after[k as keyof PostgresCpu] - before[k as keyof PostgresCpu]]),
  ) as PostgresCpu
  return { ...delta, total: Object.values(delta).reduce((sum, v) => sum + v, 0) }
}
