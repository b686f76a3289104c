import type { Sql } from 'postgres'

/** Each topic's latest seq, as publishing allocates it (`plater_private.topic_head`: 0 before its first message). */
export async function topicHeads(sql: Sql, topics: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql<{ topic: string; seq: string }[]>`
    select t as topic, plater_private.topic_head(t)::text as seq from unnest(${topics as string[]}::text[]) t`
  return new Map(rows.map((row) => [row.topic, Number(row.seq)]))
}
