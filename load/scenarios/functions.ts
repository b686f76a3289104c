import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { DEMO, TARGETS } from '../k6/scenarios.js'
import { cpuPerRequest, type CpuSample, StackCpu } from '../bench/stack-cpu.ts'
import { Http, signIn, type StackEnv } from '../bench/http/client.ts'
import { RepeatingRequest } from '../bench/http/repeating-request.ts'
import { numberOption, type Scenario, type ScenarioContext } from '../bench/scenario.ts'
import { summarize } from '../bench/stats.ts'
import type { BenchStack } from '../bench/stack.ts'
import { functionPath } from '../k6/routes.js'

/**
 * Edge-function scenarios: mutation latency at a fixed arrival rate, and snapshot revalidations (304) per second,
 * through the stack's /functions/v1 like a client.
 *
 * mutations: open loop — request i is due at start + i/rate whether or not earlier ones have answered, so a slow
 * server cannot slow the load down (no coordinated omission); latency is measured from the due time. Each request
 * is a kitchen move (finish ⇄ recall, alternating per item, round robin over --items started items of one order)
 * through /functions/v1/kitchen with its own Idempotency-Key: a full mutation (key claim, RPC, status trigger,
 * order roll-up, four topic publishes, key store) per request.
 * revalidations: --concurrency closed loops GET /functions/v1/snapshot?topic=floor:… with the current ETag in
 * If-None-Match for --duration seconds, each on its own keep-alive connection, one request at a time (a lean
 * raw HTTP/1.1 client: the generator shares the machine); every answer must be 304.
 *
 * When the stack's state is readable (its data dir) both report the CPU milliseconds each part spent per request
 * (API server, function workers, Postgres, this generator): on a shared 2-core machine that, not the wall clock
 * alone, shows what a figure is bound by.
 */

const BISTRO = DEMO.restaurant

function countStatus(counts: Record<string, number>, status: number | string): void {
  counts[String(status)] = (counts[String(status)] ?? 0) + 1
}

interface Context {
  env: StackEnv
  progress: ScenarioContext['progress']
  http: Http
  cpu: StackCpu | undefined
  tokens: { manager: string; expo: string; server: string }
  headers: (token: string, extra?: Record<string, string>) => Record<string, string>
  // deno-lint-ignore no-explicit-any -- a setup answer of any route; the scenario reads the ids it needs
  mutate: (token: string, path: string, body?: unknown) => Promise<Record<string, any>>
}

/** A table seated, an order of items lines placed and started: items to move back and forth. */
async function setupKitchen(ctx: Context, items: number) {
  const sql = postgres(ctx.env.dbUrl, { max: 1, onnotice: () => {} })
  const [table] = await sql<{ id: string; label: string }[]>`
    select id, label from public.dining_tables where restaurant_id = ${BISTRO} and status = 'free'
     order by length(label) desc, label desc limit 1`
  if (!table) throw new Error('no free table in the demo bistro')
  const menu = await sql<{ id: string }[]>`
    select id from public.menu_items where restaurant_id = ${BISTRO} and active order by name`
  await sql.end()
  await ctx.mutate(ctx.tokens.server, `tables/${table.id}/seat`, { party_size: 4 })
  const placed = await ctx.mutate(ctx.tokens.server, 'orders', {
    table_id: table.id,
    items: Array.from({ length: items }, (_, i) => ({ menu_item_id: menu[i % menu.length]!.id, qty: 1 })),
  })
  const orderId: string = placed.order.id
  const itemIds: string[] = placed.items.map((item: { id: string }) => item.id)
  for (const id of itemIds) await ctx.mutate(ctx.tokens.expo, `kitchen/items/${id}/start`)
  ctx.progress.update(`setup: table ${table.label}, order ${orderId} with ${itemIds.length} started items`)
  return {
    itemIds,
    /** the manager cancels the order (its items were started), the server clears the table */
    cleanup: async () => {
      await ctx.mutate(ctx.tokens.manager, `orders/${orderId}/cancel`, { reason: 'benchmark' })
      await ctx.mutate(ctx.tokens.server, `tables/${table.id}/clear`)
    },
  }
}

/** Open loop at rate/s: request i is due at start + i/rate, sent then whatever happened before. */
async function runMutations(ctx: Context, rate: number, seconds: number, warmup: number, items: number) {
  const { itemIds, cleanup } = await setupKitchen(ctx, items)
  const latency: number[] = [] // from the due time (includes any queueing behind the generator)
  const service: number[] = [] // from the moment the request was handed to the socket
  const statuses: Record<string, number> = {}
  const perSecond: number[][] = [] // latency samples by second of the run, to see whether slowness is a stall
  const nextAction = itemIds.map(() => 'finish' as 'finish' | 'recall')
  const total = Math.round(rate * (warmup + seconds))
  const warmupCount = Math.round(rate * warmup)
  const intervalMs = 1000 / rate
  const inflight = new Set<Promise<void>>()
  let lateStarts = 0
  let cpuBefore: CpuSample | undefined
  const started = performance.now()
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    else if (wait < -intervalMs) lateStarts += 1
    if (i === warmupCount) cpuBefore = ctx.cpu?.sample()
    const slot = i % itemIds.length
    const action = nextAction[slot]!
    nextAction[slot] = action === 'finish' ? 'recall' : 'finish'
    const sent = performance.now()
    const p = ctx.http
      .send(
        'POST',
        functionPath(`kitchen/items/${itemIds[slot]}/${action}`),
        ctx.headers(ctx.tokens.expo, { 'idempotency-key': randomUUID() }),
        {},
      )
      .then(
        (answer) => answer.status,
        (error: Error) => `error:${error.message}`,
      )
      .then((status) => {
        const done = performance.now()
        if (i >= warmupCount) {
          const second = Math.floor((due - started) / 1000)
          ;(perSecond[second] ??= []).push(done - due)
          latency.push(done - due)
          service.push(done - sent)
          countStatus(statuses, status)
        }
      })
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
  }
  await Promise.all(inflight)
  const elapsed = (performance.now() - started) / 1000 - warmup
  const cpu = ctx.cpu && cpuBefore
    ? cpuPerRequest(cpuBefore, ctx.cpu.sample(), total - warmupCount)
    : undefined
  await cleanup()
  return {
    target_rate: rate,
    seconds: seconds,
    achieved_rate: Math.round((latency.length / elapsed) * 10) / 10,
    late_starts: lateStarts,
    statuses,
    latency: summarize(Float64Array.from(latency)),
    service_time: summarize(Float64Array.from(service)),
    cpu_ms_per_request: cpu,
    p95_ms_by_second: perSecond.filter(Boolean).map((samples) => {
      const sorted = samples.sort((a, b) => a - b)
      return Math.round(sorted[Math.floor(sorted.length * 0.95)]! * 10) / 10
    }),
  }
}

/** concurrency closed loops of conditional GETs on one snapshot; all should be 304. */
async function runRevalidations(ctx: Context, seconds: number, concurrency: number) {
  const topic = `floor:${BISTRO}`
  const path = functionPath(`snapshot?topic=${encodeURIComponent(topic)}`)
  const first = await ctx.http.send('GET', path, ctx.headers(ctx.tokens.server))
  const etag = String(first.headers.etag)
  const revalidation: number[] = []
  const statuses: Record<string, number> = {}
  const deadline = performance.now() + seconds * 1000
  const cpuBefore = ctx.cpu?.sample()
  const started = performance.now()
  const url = new URL(ctx.env.apiUrl)
  const request = RepeatingRequest.build(
    'GET',
    path,
    url.host,
    ctx.headers(ctx.tokens.server, { 'if-none-match': etag }),
  )
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const connection = new RepeatingRequest(url.hostname, Number(url.port), request)
      while (performance.now() < deadline) {
        const sent = performance.now()
        const status = await connection.send().catch((error: Error) => `error:${error.message}`)
        revalidation.push(performance.now() - sent)
        countStatus(statuses, status)
      }
      connection.close()
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  const count = Object.values(statuses).reduce((a, b) => a + b, 0)
  return {
    topic,
    concurrency: concurrency,
    seconds: Math.round(elapsed * 100) / 100,
    per_second_304: Math.round((statuses['304'] ?? 0) / elapsed),
    statuses,
    latency: summarize(Float64Array.from(revalidation)),
    cpu_ms_per_request: ctx.cpu && cpuBefore ? cpuPerRequest(cpuBefore, ctx.cpu.sample(), count) : undefined,
  }
}

async function openContext(stack: BenchStack, progress: ScenarioContext['progress']): Promise<Context> {
  const env: StackEnv = { apiUrl: stack.apiUrl, anonKey: stack.anonKey, dbUrl: stack.dbUrl }
  const dataDir = stack.dataDir ?? fileURLToPath(new URL('../../.stack', import.meta.url))
  const http = new Http(env.apiUrl)
  const headers = (token: string, extra: Record<string, string> = {}) => ({
    apikey: env.anonKey,
    authorization: `Bearer ${token}`,
    ...extra,
  })
  return {
    env,
    progress,
    http,
    cpu: StackCpu.fromDataDir(dataDir),
    tokens: {
      manager: await signIn(http, env.anonKey, DEMO.staff.manager),
      expo: await signIn(http, env.anonKey, DEMO.staff.expo),
      server: await signIn(http, env.anonKey, DEMO.staff.servers[0]!),
    },
    headers,
    mutate: async (token, path, body = {}) => {
      const answer = await http.send(
        'POST',
        functionPath(path),
        headers(token, { 'idempotency-key': randomUUID() }),
        body,
      )
      if (answer.status >= 300) throw new Error(`setup ${path}: ${answer.status} ${answer.body}`)
      // deno-lint-ignore no-explicit-any -- as `mutate` above
      return JSON.parse(answer.body) as Record<string, any>
    },
  }
}

type CpuPerRequest = ReturnType<typeof cpuPerRequest>

/** CPU per request (ms) at a request rate, as % of one core per process. */
function cpuShares(cpu: CpuPerRequest | undefined, perSecond: number): Record<string, number> {
  if (!cpu) return {}
  const percent = (ms: number) => Math.round((ms * perSecond) / 10)
  return {
    'API server': percent(cpu.api_server),
    'function workers': percent(Object.values(cpu.workers).reduce((a, b) => a + b, 0)),
    postgres: percent(cpu.postgres),
    'load generator': percent(cpu.generator),
  }
}

function describeCpuPerRequest(cpu: CpuPerRequest | undefined): string {
  if (!cpu) return "CPU per process unknown (the stack's data dir is not readable here)"
  const workers = Object.values(cpu.workers).reduce((a, b) => a + b, 0)
  return `CPU per request: ${cpu.total_ms} ms in all — API server ${cpu.api_server}, function workers ${
    Math.round(workers * 1000) / 1000
  }, Postgres ${cpu.postgres}, load generator ${cpu.generator} ms`
}

export const mutations: Scenario = {
  name: 'mutations',
  summary: 'kitchen mutations through /functions/v1 at an open-loop rate (latency from the due time)',
  options: { rate: String(TARGETS.mutations.requestsPerSecond), duration: '30', warmup: '3', items: '60' },
  minutes: 1,
  async run({ stack, progress, options }) {
    const ctx = await openContext(stack, progress)
    try {
      const rate = numberOption(options, 'rate')
      progress.update(`${rate} mutations/s for ${options.duration} s`)
      const result = await runMutations(
        ctx,
        rate,
        numberOption(options, 'duration'),
        numberOption(options, 'warmup'),
        numberOption(options, 'items'),
      )
      const failed = Object.entries(result.statuses).filter(([status]) => status !== '200').reduce(
        (sum, [, n]) => sum + n,
        0,
      )
      return {
        parameters: {
          rate,
          duration: result.seconds,
          warmup: numberOption(options, 'warmup'),
          items: numberOption(options, 'items'),
        },
        figures: {
          p50: {
            label: `kitchen mutation at ${rate}/s (open loop, from the due time): p50`,
            value: result.latency.p50,
            unit: 'ms',
          },
          p95: { label: 'p95', value: result.latency.p95, unit: 'ms', target: TARGETS.mutations.p95Ms },
          p99: { label: 'p99', value: result.latency.p99, unit: 'ms' },
          achieved: { label: 'achieved rate', value: result.achieved_rate, unit: '/s' },
          failed: { label: 'answers other than 200', value: failed, unit: 'requests', target: { max: 0 } },
          loadGenerator: {
            label: 'load generator CPU per request',
            value: result.cpu_ms_per_request?.generator ?? null,
            unit: 'ms',
          },
        },
        bottleneck: describeCpuPerRequest(result.cpu_ms_per_request),
        cpuPercentOfOneCore: cpuShares(result.cpu_ms_per_request, result.achieved_rate),
        data: result,
      }
    } finally {
      ctx.http.close()
    }
  },
}

export const revalidations: Scenario = {
  name: 'revalidations',
  summary: 'snapshot revalidations (If-None-Match → 304) per second from keep-alive connections',
  options: { duration: '10', concurrency: '64' },
  minutes: 0.5,
  async run({ stack, progress, options }) {
    const ctx = await openContext(stack, progress)
    try {
      progress.update(`${options.concurrency} connections revalidating for ${options.duration} s`)
      const result = await runRevalidations(
        ctx,
        numberOption(options, 'duration'),
        numberOption(options, 'concurrency'),
      )
      const other = Object.entries(result.statuses).filter(([status]) => status !== '304').reduce(
        (sum, [, n]) => sum + n,
        0,
      )
      return {
        parameters: { duration: numberOption(options, 'duration'), concurrency: result.concurrency },
        figures: {
          perSecond: {
            label: `304 revalidations per second (${result.concurrency} connections)`,
            value: result.per_second_304,
            unit: '/s',
            target: TARGETS.revalidations.perSecond,
          },
          p99: { label: 'revalidation p99 (closed loop, from send)', value: result.latency.p99, unit: 'ms' },
          other: { label: 'answers other than 304', value: other, unit: 'requests', target: { max: 0 } },
        },
        bottleneck: describeCpuPerRequest(result.cpu_ms_per_request),
        cpuPercentOfOneCore: cpuShares(result.cpu_ms_per_request, result.per_second_304),
        data: result,
      }
    } finally {
      ctx.http.close()
    }
  },
}
