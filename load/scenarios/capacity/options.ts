import { niceValue } from '../../../shared/env.ts'
import { SERVICE, TARGETS as PRODUCT_TARGETS } from '../../k6/scenarios.js'

/** `ours`: this project's role-scoped topics; `peer`: Supabase's documented broadcast_changes pattern (peer.sql). */
export type System = 'ours' | 'peer'

/**
 * The service targets every step is judged by: database clock → callback, nothing lost or twice, and the writes
 * answered within the mutations target (due time → RPC answered), so a queue before the database is no way to pass.
 */
export const TARGETS = {
  p50Ms: PRODUCT_TARGETS.service.p50Ms.max,
  p95Ms: PRODUCT_TARGETS.service.p95Ms.max,
  p99Ms: PRODUCT_TARGETS.service.p99Ms.max,
  lost: PRODUCT_TARGETS.service.lost.max,
  duplicated: 0,
  writeP95Ms: PRODUCT_TARGETS.mutations.p95Ms.max,
} as const

export const DEFAULT_OPTIONS = {
  restaurants: String(SERVICE.restaurants),
  sockets: String(SERVICE.sockets),
  /** A ladder `from-to:step`, or a list `r1,r2,…` (writes per second). */
  rates: '100-500:50',
  /** Measured seconds per step (`60` or `60s`). */
  step: '60',
  /** Seconds of the same rate before each step's measured window. */
  warmup: '10',
  sweeps: '3',
  system: 'both',
  /** `own`: a gateway process of the harness (event-loop delay and GC measured in it); `stack`: the stack's own. */
  gateway: 'own',
  /**
   * Levers on the harness's own gateway (`--gateway own`), measured before and after: PLATER_REALTIME_NICE, the
   * priority of its event-loop thread (empty: unset; below 0 needs root), and extra V8/Node flags for its process.
   */
  'gateway-nice': '',
  'gateway-node-options': '',
  workers: '2',
  'sample-every': '10',
  /**
   * Writer connections: at most this many write transactions in flight, the admission control a deployment sets
   * with its pool (the functions' PLATER_DB_POOL_MAX, Supavisor's pool size). 8 from the sweep: 16 let up to 12
   * backends wake at once beside the gateway on two cores (load/README.md, "Capacity").
   */
  pool: '8',
  /** Set: a short pass (SHORT_PASS) with steps of this many seconds; unset: the full run above. */
  duration: '',
} as const

/**
 * What `--duration S` makes of the run (`npm run bench -- all --duration 5` gives it to every scenario): a pass
 * that shows the scenario works end to end, not a capacity figure — one sweep of two low rates, S-second steps,
 * 300 sockets over 10 restaurants, both systems. An option given beside `--duration` still wins.
 */
export const SHORT_PASS = {
  restaurants: '10',
  sockets: '300',
  rates: '20,40',
  warmup: '2',
  sweeps: '1',
} as const

/** The options a run uses: `given` (the ones the command line set) keep their value, `--duration` brings SHORT_PASS. */
export function withShortPass(
  options: Record<string, string>,
  given: ReadonlySet<string>,
): Record<string, string> {
  if (!given.has('duration')) return options
  const short: Record<string, string> = { ...SHORT_PASS, step: options.duration! }
  return { ...options, ...Object.fromEntries(Object.entries(short).filter(([name]) => !given.has(name))) }
}

export interface CapacityOptions {
  readonly restaurants: number
  readonly sockets: number
  readonly rates: number[]
  readonly stepSeconds: number
  readonly warmupSeconds: number
  readonly sweeps: number
  readonly systems: System[]
  readonly gateway: 'own' | 'stack'
  readonly gatewayNice: number | null
  readonly gatewayNodeOptions: string
  readonly workers: number
  readonly sampleEvery: number
  readonly pool: number
  /** A short pass (`--duration`): its figures prove nothing about capacity. */
  readonly shortPass: boolean
}

function positive(name: string, text: string | undefined): number {
  const value = Number(String(text).replace(/s$/, ''))
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--${name} must be a positive number, got "${text}"`)
  }
  return value
}

function nice(text: string | undefined): number | null {
  if (!text) return null
  const value = niceValue.parse(text)
  if (value === undefined) throw new Error(`--gateway-nice must be ${niceValue.allowed}, got "${text}"`)
  return value
}

export function parseRates(text: string): number[] {
  const ladder = /^(\d+)-(\d+):(\d+)$/.exec(text)
  const rates = ladder
    ? Array.from(
      { length: Math.floor((Number(ladder[2]) - Number(ladder[1])) / Number(ladder[3])) + 1 },
      (_, i) => Number(ladder[1]) + i * Number(ladder[3]),
    )
    : text.split(',').map((r) => positive('rates', r))
  if (rates.length === 0 || rates.some((r) => !(r > 0))) {
    throw new Error(`--rates must be "from-to:step" or "r1,r2,…", got "${text}"`)
  }
  return [...new Set(rates)].sort((a, b) => a - b)
}

export function parseOptions(options: Record<string, string>): CapacityOptions {
  const systems: Record<string, System[]> = { ours: ['ours'], peer: ['peer'], both: ['ours', 'peer'] }
  const chosen = systems[options.system!]
  if (!chosen) throw new Error(`--system must be ours, peer or both, got "${options.system}"`)
  if (options.gateway !== 'own' && options.gateway !== 'stack') {
    throw new Error(`--gateway must be own or stack, got "${options.gateway}"`)
  }
  if (options.gateway === 'stack' && (options['gateway-nice'] || options['gateway-node-options'])) {
    throw new Error(
      "--gateway-nice and --gateway-node-options act on the harness's own gateway (--gateway own); " +
        "the stack's reads PLATER_REALTIME_NICE when it starts",
    )
  }
  return {
    restaurants: positive('restaurants', options.restaurants),
    sockets: positive('sockets', options.sockets),
    rates: parseRates(options.rates!),
    stepSeconds: positive('step', options.step),
    warmupSeconds: Number(String(options.warmup).replace(/s$/, '')) || 0,
    sweeps: positive('sweeps', options.sweeps),
    systems: chosen,
    gateway: options.gateway,
    gatewayNice: nice(options['gateway-nice']),
    gatewayNodeOptions: options['gateway-node-options'] ?? '',
    workers: positive('workers', options.workers),
    sampleEvery: positive('sample-every', options['sample-every']),
    pool: positive('pool', options.pool),
    shortPass: options.duration !== '',
  }
}

/** The step's failures against TARGETS, in words (empty: it passes). */
export function failures(
  step: { p50: number | null; p95: number | null; p99: number | null; lost: number; duplicated: number },
  writes: { failed: number; skipped: number; latencyMs: { p95: number } },
): string[] {
  const out: string[] = []
  if (step.p50 === null) out.push('no latency samples')
  if (step.p50 !== null && step.p50 > TARGETS.p50Ms) out.push(`p50 ${step.p50} > ${TARGETS.p50Ms} ms`)
  if (step.p95 !== null && step.p95 > TARGETS.p95Ms) out.push(`p95 ${step.p95} > ${TARGETS.p95Ms} ms`)
  if (step.p99 !== null && step.p99 > TARGETS.p99Ms) out.push(`p99 ${step.p99} > ${TARGETS.p99Ms} ms`)
  if (step.lost > TARGETS.lost) out.push(`${step.lost} lost`)
  if (step.duplicated > TARGETS.duplicated) out.push(`${step.duplicated} duplicated`)
  if (writes.failed > 0) out.push(`${writes.failed} writes failed`)
  if (writes.skipped > 0) out.push(`${writes.skipped} writes skipped (every table busy)`)
  if (writes.latencyMs.p95 > TARGETS.writeP95Ms) {
    out.push(`writes answered p95 ${writes.latencyMs.p95} > ${TARGETS.writeP95Ms} ms`)
  }
  return out
}

/**
 * The rates a repeat sweep measures: the ladder's rates from one below the first sweep's highest passing rate to
 * two above it (the knee), or the ladder's lowest two when nothing passed.
 */
export function kneeRates(ladder: number[], highestPassing: number | null): number[] {
  if (highestPassing === null) return ladder.slice(0, 2)
  const at = ladder.indexOf(highestPassing)
  return ladder.slice(Math.max(0, at - 1), at + 3)
}

/** Highest rate that passed in a sweep, or null. */
export function highestPassing(steps: { rate: number; passed: boolean }[]): number | null {
  const passing = steps.filter((s) => s.passed).map((s) => s.rate)
  return passing.length > 0 ? Math.max(...passing) : null
}
