import { fileURLToPath } from 'node:url'
import {
  GATEWAY_LIMIT_DEFAULTS,
  GATEWAY_LIMIT_ENV as GATEWAY_ENV,
  SIGN_IN_LIMIT_ENV,
  signInLimitDefault,
} from '../../stack/testing/index.ts'
import { SERVICE, TARGETS } from '../k6/scenarios.js'

/**
 * Every product limit the load harness raises, and why (docs/architecture.md "## Limits" has them all).
 * A load generator stands for many devices, restaurants and people while it runs from one address, with one API
 * key and a few accounts, so the limits that count per address, key, user or caller would refuse it for being
 * one machine. Only those are raised, through the documented variables, on the stacks and gateways the harness
 * starts itself; the product defaults stay as they are. A benchmark that measures a limit keeps it: join-flood
 * measures the join budgets (staff joins during an anonymous flood) and raises nothing.
 */
interface RaisedLimit {
  readonly variable: string
  readonly value: number
  readonly why: string
}

/** The most sockets a scenario opens at once with its default options. */
const MOST_SOCKETS = Math.max(SERVICE.sockets, TARGETS.connections.sockets)

const LIMITS = {
  socketsPerAddress: {
    variable: GATEWAY_ENV.maxConnectionsPerAddress,
    value: MOST_SOCKETS,
    why:
      'every socket comes from 127.0.0.1: service and connections open 10 000, hot-topic and users 1 000, client-bench 500 (a larger `--sockets` needs this raised too)',
  },
  socketsPerKey: {
    variable: GATEWAY_ENV.maxConnectionsPerKey,
    value: MOST_SOCKETS,
    why:
      "service and connections open 10 000 sockets with the one anon key (the gateway wants `ulimit -n` ≥ twice this; this machine's is 20 000)",
  },
  socketsPerUser: {
    variable: GATEWAY_ENV.maxConnectionsPerUser,
    value: 1_000,
    why:
      "chaos's 100 subscribers read every topic of the demo bistro, which only its manager may; client-bench opens 50 clients as one manager and 500 as one cook; k6 realtime-service spreads 200 sockets over 4 staff",
  },
  signIns: {
    variable: SIGN_IN_LIMIT_ENV,
    value: 10_000,
    why:
      'bytes, chaos, mutations, revalidations and client-bench sign the demo staff in through /auth/v1 from one address, again on every run',
  },
  joinsPerPool: {
    variable: GATEWAY_ENV.maxJoinsPerSecond,
    value: 100_000,
    why:
      "set-up only: hot-topic joins 1 000 anonymous sockets to one topic, service --gateway own 10 000 (the stack's gateway is joined at 90/s, under the default)",
  },
  joinsPerCaller: {
    variable: GATEWAY_ENV.maxJoinsPerCaller,
    value: 100_000,
    why:
      "hot-topic, connections and k6 realtime-fanout join as one caller (one address, the anon key); connections keeps the pool's default, whose joins/s it measures",
  },
  joinErrorBackoff: {
    variable: GATEWAY_ENV.joinErrorBackoffMs,
    value: 0,
    why:
      'not a budget: a refused set-up join is answered at once, so a run that fails to join says so instead of waiting 5 s a join',
  },
  broadcastsPerPool: {
    variable: GATEWAY_ENV.maxEventsPerSecond,
    value: 100_000,
    why: 'k6 realtime-fanout publishes 50–400 broadcasts/s to one topic through REST, as one caller',
  },
  broadcastsPerCaller: {
    variable: GATEWAY_ENV.maxEventsPerSocket,
    value: 100_000,
    why: 'the same publisher is one caller',
  },
} as const satisfies Record<string, RaisedLimit>

type LimitName = keyof typeof LIMITS
const LOAD_GENERATOR: LimitName[] = ['socketsPerAddress', 'socketsPerKey']

/** Who raises what: the stacks and gateways the harness starts, and the stack a k6 script runs against. */
const PROFILES = {
  /** `npm run bench`'s (and client-bench's) private stack: every scenario of `all` runs on it. */
  'bench-stack': [...LOAD_GENERATOR, 'socketsPerUser', 'signIns'],
  'hot-topic-gateway': [...LOAD_GENERATOR, 'joinsPerPool', 'joinsPerCaller', 'joinErrorBackoff'],
  'connections-gateway': [...LOAD_GENERATOR, 'joinsPerCaller'],
  'service-own-gateway': [...LOAD_GENERATOR, 'joinsPerPool', 'joinErrorBackoff'],
  'join-flood-gateway': [],
  'k6-realtime-fanout': [...LOAD_GENERATOR, 'joinsPerCaller', 'broadcastsPerPool', 'broadcastsPerCaller'],
  'k6-realtime-service': ['socketsPerUser', 'signIns'],
  'k6-functions-mutations': ['signIns'],
} as const satisfies Record<string, readonly LimitName[]>

export type LimitProfile = keyof typeof PROFILES

/** The variables a profile sets, for a child process's environment. */
export function raisedLimits(profile: LimitProfile): Record<string, string> {
  return Object.fromEntries(
    PROFILES[profile].map((name) => [LIMITS[name].variable, String(LIMITS[name].value)]),
  )
}

/** A limit's default: the gateway's, or config.toml's for auth. */
function defaultOf(variable: string): number {
  const option = (Object.keys(GATEWAY_ENV) as (keyof typeof GATEWAY_ENV)[]).find((key) =>
    GATEWAY_ENV[key] === variable
  )
  return option ? GATEWAY_LIMIT_DEFAULTS[option] : signInLimitDefault()
}

/** The table for load/README.md: `npx tsx load/bench/limits.ts --table`. */
function markdownTable(): string {
  const rows = (Object.entries(LIMITS) as [LimitName, RaisedLimit][]).map(([name, limit]) => {
    const by = Object.entries(PROFILES).filter(([, names]) => (names as readonly LimitName[]).includes(name))
      .map(([profile]) => `\`${profile}\``)
    return `| \`${limit.variable}\` | ${defaultOf(limit.variable)} | ${limit.value} | ${
      by.join(', ')
    } | ${limit.why} |`
  })
  return ['| variable | default | raised to | by | why |', '|---|---|---|---|---|', ...rows].join('\n')
}

// `npx tsx load/bench/limits.ts <profile>` prints NAME=value lines, for `env $(…) npx plater start` before k6.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [arg] = process.argv.slice(2)
  if (arg === '--table') console.log(markdownTable())
  else if (arg && arg in PROFILES) {
    console.log(Object.entries(raisedLimits(arg as LimitProfile)).map(([k, v]) => `${k}=${v}`).join('\n'))
  } else {
    console.error(`usage: npx tsx load/bench/limits.ts <${Object.keys(PROFILES).join('|')}|--table>`)
    process.exit(2)
  }
}
