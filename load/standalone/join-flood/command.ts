import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { createClient, type RealtimeChannel } from '@supabase/supabase-js'
import postgres from 'postgres'
import WebSocket from 'ws'
import { clientDecode, clientTextPush, signAccessToken, signApiKey } from '../../../stack/testing/index.ts'
import { raisedLimits } from '../../bench/limits.ts'
import { cpuSeconds } from '../../bench/machine.ts'
import { type GatewayProcess, startGatewayProcess } from '../../bench/gateway/process.ts'
import { watchContention } from '../../bench/contention.ts'
import { postmasterPid } from '../../bench/postgres-cpu.ts'
import { appendRecord, recordOf } from '../../bench/record.ts'
import { postgresVersion, stackEndpoints } from '../../bench/stack.ts'
import { joinFloodOutput } from './figures.ts'
import { REALTIME_SOCKET_PATH } from '../../k6/routes.js'

/**
 * Join flood (target: every staff join succeeds while the flood runs): anonymous sockets join and leave public channels as fast as they can while
 * staff sign in with the official client and join their private topics. What share of the staff joins
 * succeed, at the gateway's default limits?
 *
 *   node --import tsx load/standalone/join-flood/command.ts [--rate 400] [--flooders 3] [--seconds 20] [--staff-every 1] [--runs 5]
 *
 * Needs a running stack (`npm start`) or PLATER_DB_URL + PLATER_JWT_SECRET: the staff come from its seed
 * (every active `public.staff` row). The gateway runs in its own process (load/bench/gateway/serve.ts) with the
 * default limits and its own replication slot. Flooders are raw `ws` sockets with the anon key, on one address
 * like the attack in the issue; each sends joins at rate/flooders per second, every join followed at once by its
 * leave (so a refusal delayed by the 5 s join backoff would never reach it), and reconnects at once when the
 * gateway disconnects it. From `--warmup` seconds on, one staff member signs in every `--staff-every` seconds
 * (round robin): a supabase-js client on vsn 2.0.0 with a legacy HS256 access token (the bench gateway knows the
 * secret, not the stack's JWKS), joining the topics of their role (docs/topics.md) and staying connected. A staff
 * join succeeds when realtime-js reports SUBSCRIBED (its own 10 s timeout applies).
 * Each run writes a run record `load/results/join-flood-<time>.json`; the last line is the min/median/max over the runs.
 */

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '400' },
    flooders: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    'staff-every': { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
  },
})
const rate = Number(values.rate)
const flooderCount = Number(values.flooders)
const seconds = Number(values.seconds)
const warmupSeconds = Number(values.warmup)
const staffEverySeconds = Number(values['staff-every'])
const runs = Number(values.runs)

interface Staff {
  readonly id: string
  readonly email: string
  readonly topics: readonly string[]
}

/** The private topics a staff member's screens join, by role (docs/topics.md). */
function topicsFor(role: string, restaurant: string, user: string, station: string | null): string[] {
  const crew = `crew:${restaurant}`
  switch (role) {
    case 'server':
      return [`server:${restaurant}:${user}`, `floor:${restaurant}`, crew]
    case 'cook':
      return [`kds:${restaurant}:${station}`, crew]
    case 'expo':
      return [`expo:${restaurant}`, `floor:${restaurant}`, crew]
    default:
      return [`admin:${restaurant}`, `expo:${restaurant}`, `floor:${restaurant}`, crew]
  }
}

async function loadStaff(dbUrl: string): Promise<Staff[]> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    const rows = await sql<
      { id: string; email: string; role: string; restaurant: string; station: string | null }[]
    >`
      select s.user_id as id, u.email, s.role, s.restaurant_id as restaurant, s.station_id as station
      from public.staff s join auth.users u on u.id = s.user_id
      where s.active order by u.email`
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      topics: topicsFor(r.role, r.restaurant, r.id, r.station),
    }))
  } finally {
    await sql.end()
  }
}

interface FloodCounts {
  sent: number
  ok: number
  refused: number
  disconnects: number
}

/** One flooding socket, reconnecting whenever it is closed, until `stop()`. */
function flooder(
  url: string,
  apikey: string,
  perSecond: number,
  counts: FloodCounts,
  index: number,
): () => void {
  let stopped = false
  let ws: WebSocket | null = null
  let ref = 0
  const connect = () => {
    if (stopped) return
    const socket = new WebSocket(
      `${url.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${apikey}&vsn=2.0.0`,
    )
    ws = socket
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = clientDecode('2.0.0', data, isBinary)
      if (message.event !== 'phx_reply' || !message.ref?.startsWith('j')) return
      if (message.payload.status === 'ok') counts.ok++
      else counts.refused++
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (stopped) return
      counts.disconnects++
      connect()
    })
  }
  connect()
  // Every 10 ms, as many joins as the time since the last step is worth (a late timer does not lower the rate;
  // joins falling due while the socket reconnects are sent once it is open).
  let due = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    due += (perSecond * (now - last)) / 1000
    last = now
    if (ws?.readyState !== WebSocket.OPEN) return
    for (; due >= 1; due--) {
      const topic = `realtime:flood-${index}-${ref % 50}`
      const n = String(++ref)
      ws.send(
        clientTextPush('2.0.0', {
          join_ref: n,
          ref: `j${n}`,
          topic,
          event: 'phx_join',
          payload: { config: { private: false } },
        }),
      )
      ws.send(clientTextPush('2.0.0', { join_ref: n, ref: `l${n}`, topic, event: 'phx_leave', payload: {} }))
      counts.sent++
    }
  }, 10)
  return () => {
    stopped = true
    clearInterval(timer)
    ws?.terminate()
  }
}

interface StaffJoin {
  readonly topic: string
  readonly ok: boolean
  readonly status: string
  readonly ms: number
}

/** A staff member signing in: a client of their own, one channel per topic of their role. */
async function signIn(url: string, anonKey: string, token: string, staff: Staff) {
  const sb = createClient(url, anonKey, {
    accessToken: () => Promise.resolve(token),
    realtime: { transport: WebSocket as never },
  })
  await sb.realtime.setAuth()
  const joins = await Promise.all(
    staff.topics.map(
      (topic) =>
        new Promise<StaffJoin>((resolve) => {
          const started = performance.now()
          const channel: RealtimeChannel = sb.channel(topic, { config: { private: true } })
          channel.subscribe((status) => {
            if (
              status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' ||
              status === 'CLOSED'
            ) {
              resolve({ topic, ok: status === 'SUBSCRIBED', status, ms: performance.now() - started })
            }
          })
        }),
    ),
  )
  return { joins, close: () => sb.realtime.disconnect() }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function run(credentials: { dbUrl: string; jwtSecret: string }, staff: Staff[]) {
  const startedAt = new Date().toISOString()
  // Its join budgets are what this measures: none raised (bench/limits.ts).
  const gateway: GatewayProcess = await startGatewayProcess(credentials, raisedLimits('join-flood-gateway'))
  const nowSeconds = Math.floor(Date.now() / 1000)
  const anonKey = await signApiKey(credentials.jwtSecret, 'anon', nowSeconds)
  const tokens = await Promise.all(staff.map((s) => signAccessToken(credentials.jwtSecret, s)))
  const counts: FloodCounts = { sent: 0, ok: 0, refused: 0, disconnects: 0 }
  const cpuBefore = { gateway: cpuSeconds(gateway.pid), harness: process.cpuUsage() }
  const started = Date.now()

  const stops = Array.from(
    { length: flooderCount },
    (_, i) => flooder(gateway.url, anonKey, rate / flooderCount, counts, i),
  )
  await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000))
  const floodAtStaff = { ...counts }

  const signIns: Promise<Awaited<ReturnType<typeof signIn>>>[] = []
  const staffSeconds = seconds - warmupSeconds
  for (let i = 0; i * staffEverySeconds < staffSeconds; i++) {
    const member = staff[i % staff.length]!
    signIns.push(signIn(gateway.url, anonKey, tokens[i % staff.length]!, member))
    await new Promise((resolve) => setTimeout(resolve, staffEverySeconds * 1000))
  }
  const sessions = await Promise.all(signIns)
  const floodSeconds = (Date.now() - started) / 1000
  for (const stop of stops) stop()
  const metrics = await gateway.metrics()
  const gatewayCpu = cpuSeconds(gateway.pid) - cpuBefore.gateway
  const harness = process.cpuUsage(cpuBefore.harness)
  for (const session of sessions) session.close()
  await gateway.stop()

  const joins = sessions.flatMap((s) => s.joins)
  const succeeded = joins.filter((j) => j.ok)
  const latencies = succeeded.map((j) => j.ms).sort((a, b) => a - b)
  const failures: Record<string, number> = {}
  for (const j of joins) if (!j.ok) failures[j.status] = (failures[j.status] ?? 0) + 1
  return {
    staff: {
      signIns: sessions.length,
      signInsFullyJoined: sessions.filter((s) => s.joins.every((j) => j.ok)).length,
      joins: joins.length,
      succeeded: succeeded.length,
      successPercent: (100 * succeeded.length) / Math.max(1, joins.length),
      failures,
      joinMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: latencies.at(-1) ?? 0 },
    },
    flood: {
      joinsSent: counts.sent,
      joinsPerSecond: counts.sent / floodSeconds,
      joinsPerSecondWhileStaffSignedIn: (counts.sent - floodAtStaff.sent) / (floodSeconds - warmupSeconds),
      admitted: counts.ok,
      refused: counts.refused,
      disconnects: counts.disconnects,
    },
    startedAt,
    gateway: {
      rateLimitedJoins: metrics.rateLimitedJoins,
      cpuSeconds: gatewayCpu,
      rssBytes: metrics.process.rssBytes,
    },
    harnessCpuSeconds: (harness.user + harness.system) / 1e6,
    seconds: floodSeconds,
  }
}

const credentials = stackEndpoints()
const staff = await loadStaff(credentials.dbUrl)
if (staff.length === 0) throw new Error('no active staff in the database: is the stack seeded?')
// The stack's Postgres is not this script's child: count it as its own load, not as other work.
const postgresRoots = await (async () => {
  const sql = postgres(credentials.dbUrl, { max: 1, onnotice: () => {} })
  try {
    return [await postmasterPid(sql)]
  } finally {
    await sql.end()
  }
})()
const runId = randomUUID()
const results: { path: string; successPercent: number; joinsPerSecond: number }[] = []
for (let i = 1; i <= runs; i++) {
  const contention = watchContention(() => postgresRoots)
  const { startedAt, ...result } = await run(credentials, staff)
  const parameters = {
    rate,
    flooders: flooderCount,
    seconds,
    warmupSeconds,
    staffEverySeconds,
    run: i,
    of: runs,
  }
  const output = joinFloodOutput({ parameters, ...result })
  const path = appendRecord(
    recordOf({
      scenario: 'join-flood',
      runId,
      startedAt,
      contention: contention(),
      postgresVersion: await postgresVersion(credentials.dbUrl),
      output,
    }),
  )
  console.log(
    `run ${i}/${runs}: staff joins ${result.staff.succeeded}/${result.staff.joins} (${
      result.staff.successPercent.toFixed(1)
    } %), ` +
      `sign-ins fully joined ${result.staff.signInsFullyJoined}/${result.staff.signIns}, staff join p50 ${
        result.staff.joinMs.p50.toFixed(0)
      } ms; ` +
      `flood ${
        result.flood.joinsPerSecond.toFixed(0)
      } joins/s sent, ${result.flood.admitted} admitted, ${result.flood.refused} refused, ` +
      `${result.flood.disconnects} disconnects → ${path}`,
  )
  results.push({
    path,
    successPercent: result.staff.successPercent,
    joinsPerSecond: result.flood.joinsPerSecond,
  })
}
const summary = (pick: (r: (typeof results)[number]) => number) => {
  const sorted = results.map(pick).sort((a, b) => a - b)
  return `${sorted[0]!.toFixed(1)} / ${quantile(sorted, 0.5).toFixed(1)} / ${sorted.at(-1)!.toFixed(1)}`
}
console.log(
  `${runs} runs, min / median / max: staff joins succeeded ${summary((r) => r.successPercent)} %, ` +
    `flood ${summary((r) => r.joinsPerSecond)} joins/s`,
)
