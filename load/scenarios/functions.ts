import { TARGETS } from '../k6/scenarios.js'
import { numberOption, type Scenario } from '../bench/scenario.ts'
import { openContext } from './functions/context.ts'
import { cpuShares, describeCpuPerRequest } from './functions/cpu-shares.ts'
import { runMutations } from './functions/mutations.ts'
import { runRevalidations } from './functions/revalidations.ts'

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
