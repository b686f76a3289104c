import postgres from 'postgres'
import { listenForSubscribers } from './subscribers-server.ts'

/**
 * Baseline (b), what people build instead: a small Node server that LISTENs on Postgres channels and relays each
 * NOTIFY payload to every connected socket as it is (a Phoenix vsn 2.0.0 text frame built by concatenation, so the
 * same harness counts it), with no authorization and no sequence, catch-up or slow-consumer handling.
 *
 *   PLATER_DB_URL=… BENCH_TOPIC=… BENCH_CHANNELS=tick,warmup node --import tsx load/baselines/notify-relay.ts
 */
const dbUrl = process.env.PLATER_DB_URL
const topic = process.env.BENCH_TOPIC
if (!dbUrl || !topic) throw new Error('PLATER_DB_URL and BENCH_TOPIC are required')

const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
const clients = listenForSubscribers(() => sql.end())
for (const channel of (process.env.BENCH_CHANNELS ?? 'tick').split(',')) {
  const prefix =
    `[null,null,"realtime:${topic}","broadcast",{"type":"broadcast","event":"${channel}","payload":`
  await sql.listen(channel, (payload) => {
    const frame = `${prefix}${payload}}]`
    for (const ws of clients.keys()) ws.send(frame)
  })
}
