import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import type { Worker } from 'node:worker_threads'
import postgres from 'postgres'
import { runningStackApiPid, signApiKey } from '../../../stack/testing/index.ts'
import { watchContention } from '../../bench/contention.ts'
import {
  type GatewayProcess,
  stackGateway,
  startGatewayProcess,
  waitForIngest,
} from '../../bench/gateway/process.ts'
import { raisedLimits } from '../../bench/limits.ts'
import { seedOrderHistory } from '../../bench/order-history.ts'
import { appendRecord, recordOf } from '../../bench/record.ts'
import { postgresVersion, stackEndpoints } from '../../bench/stack.ts'
import { postmasterPid } from '../../bench/postgres-cpu.ts'
import { startTsWorker } from '../../bench/ts-worker.ts'
import { serviceOutput } from './figures.ts'
import { topicHeads } from '../../bench/topic-heads.ts'
import { measureService, type ServiceParameters } from './measure.ts'
import { cleanup, seed, settle, staffTokens, topicsAndReaders } from './restaurants.ts'
import type { Command, WorkerConfig } from './subscribers-worker.ts'
import { ServiceWriter } from './writer.ts'

/**
 * "Realistic service" benchmark (targets in `TARGETS.service`): many restaurants, subscribers spread over their private topics,
 * and a writer driving the real write RPCs at an open-loop rate.
 *
 *   npm run bench:service -- [--restaurants 100] [--sockets 10000] [--rate 500] [--seconds 30]
 *                                  [--warmup 3] [--workers 2] [--sample-every 10] [--pool 16]
 *                                  [--gateway stack|own] [--gateway-pid N] [--joins-per-second N]
 *
 * Gateway: by default the stack's own (its API process, `apiPid` in the stack's state file, or
 * `--gateway-pid`), so the WAL is decoded once, as on hosted Supabase; sockets then join at
 * `--joins-per-second` (90, under its default budget of 100 signed-in joins a second). `--gateway own` starts
 * a second gateway with raised join limits instead (joins unpaced), and the stack's gateway decodes the same
 * WAL beside it (≈ 0.1 core at 500 writes/s that no figure is charged with).
 *
 * The script creates its own throw-away restaurants (names start with `svcbench-`, users' emails with
 * `svcbench-`), each with 4 stations, a manager, an expo, a cook per station, 4 servers, 8 tables, a menu and
 * past service (closed orders: load/bench/order-history.ts says why a benchmark needs them); it deletes them at the
 * end, and at the start if a previous run died. Topics per restaurant: kds per station,
 * expo, floor, admin and one per server (11; 1 100 for 100 restaurants). Socket k joins topic k mod #topics as
 * a private channel with the access token of a staff member allowed to read it.
 *
 * The writer runs table cycles — seat_table, place_order (2 items), start_item ×2, finish_item ×2,
 * mark_served, clear_table — each call in one transaction as the staff member (`set_config('role',
 * 'authenticated', true)` + `request.jwt.claims`, one Query message like the functions layer sends), open
 * loop, round-robin over idle tables interleaved across restaurants (a table runs one step at a time).
 *
 * Latency: arrival (decoded with realtime-js's Serializer, one socket in `--sample-every`) − the envelope's
 * `ts`, which `plater_private.publish_many` stamps with clock_timestamp() inside the writing transaction (integer
 * ms, truncated, so up to 1 ms pessimistic; it precedes the commit by the rest of the transaction).
 * Loss: every socket reads every frame's `seq`; expected per socket is its topic's head seq after the run
 * minus before the first write, so gaps and a missing tail both count.
 *
 * Writes one run record (load/bench/record.ts) to load/results/, or to PLATER_BENCH_RESULTS_DIR when
 * `npm run bench -- service` runs it, and prints `written to <path>`.
 */

const { values } = parseArgs({
  options: {
    restaurants: { type: 'string', default: '100' },
    sockets: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'sample-every': { type: 'string', default: '10' },
    pool: { type: 'string', default: '16' },
    gateway: { type: 'string', default: 'stack' },
    'gateway-pid': { type: 'string' },
    'joins-per-second': { type: 'string', default: '90' },
  },
})
const p: ServiceParameters = {
  restaurants: Number(values.restaurants),
  sockets: Number(values.sockets),
  rate: Number(values.rate),
  seconds: Number(values.seconds),
  warmupSeconds: Number(values.warmup),
  workers: Number(values.workers),
  sampleEvery: Number(values['sample-every']),
  pool: Number(values.pool),
  gateway: values.gateway === 'own' ? 'own' : 'stack',
}

/** The pid of the stack's API process, which runs its gateway. */
function stackProcess(given: string | undefined): number {
  if (given) return Number(given)
  const pid = runningStackApiPid()
  if (!pid) {
    throw new Error(
      "cannot find the stack's API process (no running stack.json): pass --gateway-pid, or --gateway own",
    )
  }
  return pid
}

/** Socket k reads topic k mod #topics; worker w holds sockets w, w + W, … (so each worker spans all topics). */
function spreadSockets(topicCount: number): { socketTopic: number[]; workerSockets: number[][] } {
  const socketTopic = Array.from({ length: p.sockets }, (_, k) => k % topicCount)
  const workerSockets = Array.from(
    { length: p.workers },
    (_, w) => socketTopic.map((_, k) => k).filter((k) => k % p.workers === w),
  )
  return { socketTopic, workerSockets }
}

// Bounded: seeding, joins, warm-up, the run and the drain take a few minutes at most. A stuck run gives up
// (its gateway child dies with it; the next run deletes the throw-away restaurants first).
const budgetMs = (p.warmupSeconds + p.seconds) * 1000 + 240_000
setTimeout(() => {
  console.error(`service bench: gave up after ${budgetMs / 1000} s`)
  process.exit(2)
}, budgetMs).unref()

const startedAt = new Date().toISOString()
const credentials = stackEndpoints()
const sql = postgres(credentials.dbUrl, { max: p.pool, onnotice: () => {} })
const leftovers = await cleanup(sql)
if (leftovers > 0) console.log(`deleted ${leftovers} restaurants left by an earlier run`)
let gateway: GatewayProcess | undefined
let workers: Worker[] = []
try {
  const restaurants = await seed(sql, p.restaurants)
  await seedOrderHistory(sql, restaurants.map((r) => r.id))
  await settle(sql)
  console.log(`created ${p.restaurants} restaurants`)
  const { topics, readers } = topicsAndReaders(restaurants)
  const tokens = await staffTokens(restaurants, credentials.jwtSecret)

  const apikey = await signApiKey(credentials.jwtSecret, 'anon', Math.floor(Date.now() / 1000))
  gateway = p.gateway === 'own'
    ? await startGatewayProcess(credentials, raisedLimits('service-own-gateway'))
    : await stackGateway(credentials, stackProcess(values['gateway-pid']))
  await waitForIngest(gateway)
  console.log(
    `gateway pid ${gateway.pid}; opening ${p.sockets} sockets over ${topics.length} private topics…`,
  )

  const { socketTopic, workerSockets } = spreadSockets(topics.length)
  const joinStart = performance.now()
  workers = workerSockets.map((ks) =>
    startTsWorker(
      new URL('./subscribers-worker.ts', import.meta.url),
      {
        url: gateway!.url,
        apikey,
        topics,
        sockets: ks.map((k) => ({ topic: socketTopic[k]!, token: tokens.get(readers[socketTopic[k]!]!)! })),
        sampleEvery: p.sampleEvery,
        joinsPerSecond: p.gateway === 'own' ? 0 : Number(values['joins-per-second']) / p.workers,
      } satisfies WorkerConfig,
    )
  )
  const ready = await Promise.all(
    workers.map((w) => new Promise<{ joinErrors: number }>((resolve) => w.once('message', resolve))),
  )
  const joins = {
    seconds: (performance.now() - joinStart) / 1000,
    errors: ready.reduce((sum, r) => sum + r.joinErrors, 0),
  }
  console.log(`${p.sockets} sockets joined in ${joins.seconds.toFixed(1)} s (${joins.errors} join errors)`)

  const baseline = await topicHeads(sql, topics)
  const writer = new ServiceWriter(sql, restaurants, p.rate)
  console.log(`warming up for ${p.warmupSeconds} s, then ${p.rate} mutations/s for ${p.seconds} s…`)
  await writer.drive(p.rate * p.warmupSeconds)
  await new Promise((resolve) => setTimeout(resolve, 500))
  // The stack's processes are not this script's children: count them as its own load, not as other work.
  const stackRoots = [gateway.pid, await postmasterPid(sql)]
  const contention = watchContention(() => stackRoots)
  const result = await measureService({
    p,
    sql,
    gateway,
    workers,
    writer,
    topics,
    socketTopic,
    workerSockets,
    joins,
  }, baseline)
  console.log(JSON.stringify(result, null, 2))
  const postgres = await postgresVersion(credentials.dbUrl)
  const record = recordOf({
    scenario: 'service',
    runId: randomUUID(),
    startedAt,
    contention: contention(),
    postgresVersion: postgres,
    output: serviceOutput(result),
  })
  console.log(`written to ${appendRecord(record)}`)
} finally {
  for (const w of workers) w.postMessage({ type: 'close' } satisfies Command)
  await gateway?.stop()
  const removed = await cleanup(sql)
  console.log(`deleted ${removed} benchmark restaurants`)
  await sql.end()
}
