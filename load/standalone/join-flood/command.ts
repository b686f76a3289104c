import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { signAccessToken, signApiKey } from '../../../stack/testing/index.ts'
import { raisedLimits } from '../../bench/limits.ts'
import { cpuSeconds } from '../../bench/machine.ts'
import { type GatewayProcess, startGatewayProcess } from '../../bench/gateway/process.ts'
import { watchContention } from '../../bench/contention.ts'
import { postmasterPid } from '../../bench/postgres-cpu.ts'
import { appendRecord, recordOf } from '../../bench/record.ts'
import { postgresVersion, stackEndpoints } from '../../bench/stack.ts'
import { joinFloodOutput } from './figures.ts'
import { type FloodCounts, flooder } from './flooder.ts'
import { loadStaff, signIn, type Staff } from './staff.ts'

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
