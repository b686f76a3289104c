import type { Sql } from 'postgres'

/** The WAL position now, as a number of bytes since the cluster began (pg_lsn subtraction). */
export async function walPosition(sql: Sql): Promise<bigint> {
  const [row] = await sql<{ bytes: string }[]>`select pg_current_wal_lsn() - '0/0'::pg_lsn as bytes`
  return BigInt(row!.bytes)
}

/**
 * WAL written since the statistics were last reset: bytes, full-page images (a page's first change after a
 * checkpoint), and flushes to disk (`wal_sync`: by backends at commit, where one flush may cover several commits,
 * and by the WAL writer).
 */
export async function walSoFar(sql: Sql): Promise<{ bytes: number; fullPageImages: number; syncs: number }> {
  const [row] = await sql<
    { bytes: string; fpi: string; syncs: string }[]
  >`select wal_bytes as bytes, wal_fpi as fpi, wal_sync as syncs from pg_stat_wal`
  return { bytes: Number(row!.bytes), fullPageImages: Number(row!.fpi), syncs: Number(row!.syncs) }
}

export interface WalShare {
  readonly relation: string
  readonly bytesPerWrite: number
}

/**
 * What wrote the WAL between two positions, by relation (block data and full-page images), per write. Needs
 * pg_walinspect, which only a superuser may create: the local stack's postgres role, not a hosted project's.
 */
export async function walByRelation(sql: Sql, from: bigint, to: bigint, writes: number): Promise<WalShare[]> {
  await sql`create extension if not exists pg_walinspect`
  const rows = await sql<{ relation: string; bytes: string }[]>`
    select coalesce(c.relname, b.relfilenode::text) as relation, sum(b.block_data_length + b.block_fpi_length) as bytes
      from pg_get_wal_block_info(('0/0'::pg_lsn + ${from.toString()}::numeric), ('0/0'::pg_lsn + ${to.toString()}::numeric)) b
      left join pg_class c on pg_relation_filenode(c.oid) = b.relfilenode
     group by 1 order by 2 desc`
  return rows.map((r) => ({ relation: r.relation, bytesPerWrite: Math.round(Number(r.bytes) / writes) }))
}
