// @ts-check
/**
 * k6 version of the realistic service: staff sockets joining their private topics over Supabase Realtime's Phoenix
 * protocol with their own access tokens, and table cycles through the edge functions, in the seeded demo bistro.
 * Delivery latency is read from each event's envelope `ts` (the database's clock_timestamp() in the writing
 * transaction; k6's Date.now() on the receiving side — run k6 on the database's host, or read it as clock skew
 * included); every socket checks that its topics' seqs arrive without gaps. Topics, screens, the table cycle and the
 * targets come from ./scenarios.js, the module the npm harness (`npm run bench`) uses, so the two cannot drift.
 * Against a stack started with the limits it must exceed (sockets per user: SOCKETS over 4 staff; sign-ins from
 * one address: load/bench/limits.ts says why):
 *
 *   env $(npx tsx load/bench/limits.ts k6-realtime-service) npx plater start   # in another shell
 *   eval "$(npx plater status -o env)"
 *   k6 run -e API_URL=$API_URL -e ANON_KEY=$ANON_KEY load/k6/realtime-service.js
 *
 * Options (-e): SOCKETS (200: staff screens, spread over the roles), RATE (table-cycle steps/s, 10), SECONDS (60).
 * Subscribers speak vsn 1.0.0 (JSON text): k6 has no TextDecoder for vsn 2.0.0's binary frames.
 * Needs a freshly seeded stack (free tables; `npx plater reset`). Type-check: npx tsc -p load/k6 (in `npm run typecheck`).
 */
import { check, fail, sleep } from 'k6'
import exec from 'k6/execution'
import http from 'k6/http'
import { Counter, Trend } from 'k6/metrics'
import { clearInterval, setInterval, setTimeout } from 'k6/timers'
import { WebSocket } from 'k6/websockets'
import { cycleRequest, DEMO, demoScreens, demoTable, TABLE_CYCLE, TARGETS } from './scenarios.js'
import { functionPath, REALTIME_SOCKET_PATH, SIGN_IN_PATH } from './routes.js'

const API_URL = __ENV.API_URL || 'http://127.0.0.1:54321'
const ANON_KEY = __ENV.ANON_KEY || fail('ANON_KEY is required')
const SOCKETS = Number(__ENV.SOCKETS || 200)
const RATE = Number(__ENV.RATE || 10)
const SECONDS = Number(__ENV.SECONDS || 60)
/** Sockets join during this window before the writes start (the gateway's default limit is 100 joins/s). */
const RAMP_SECONDS = Math.ceil((SOCKETS * 2) / 90) + 5

const delivery = new Trend('realtime_delivery_ms', true)
const deliveries = new Counter('realtime_deliveries')
const seqGaps = new Counter('realtime_seq_gaps')
const joinErrors = new Counter('realtime_join_errors')

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    staff: {
      executor: 'per-vu-iterations',
      exec: 'screen',
      vus: SOCKETS,
      iterations: 1,
      maxDuration: `${RAMP_SECONDS + SECONDS + 30}s`,
    },
    service: {
      executor: 'constant-vus',
      exec: 'serve',
      vus: DEMO.tables.length,
      duration: `${SECONDS}s`,
      startTime: `${RAMP_SECONDS}s`,
    },
  },
  thresholds: {
    realtime_delivery_ms: [
      `p(50)<${TARGETS.service.p50Ms.max}`,
      `p(95)<${TARGETS.service.p95Ms.max}`,
      `p(99)<${TARGETS.service.p99Ms.max}`,
    ],
    realtime_seq_gaps: [`count<=${TARGETS.service.lost.max}`],
    realtime_join_errors: ['count==0'],
    'http_req_duration{scenario:service}': [`p(95)<${TARGETS.mutations.p95Ms.max}`],
    'checks{scenario:service}': ['rate>0.999'],
  },
}

/** @param {string} email */
function signIn(email) {
  const res = http.post(`${API_URL}${SIGN_IN_PATH}`, JSON.stringify({ email, password: DEMO.password }), {
    headers: { apikey: ANON_KEY, 'content-type': 'application/json' },
  })
  if (res.status !== 200) fail(`sign-in of ${email}: ${res.status} ${res.body}`)
  return /** @type {{ access_token: string }} */ (res.json()).access_token
}

export function setup() {
  /** @type {Record<string, string>} */
  const tokens = {}
  for (const email of Object.keys(DEMO.ids)) tokens[email] = signIn(email)
  return { tokens }
}

/** A staff member's screen: one socket, the screen's topics joined, every event's latency and seq checked. */
/** @param {ReturnType<typeof setup>} data */
export function screen(data) {
  const screens = demoScreens()
  const mine = screens[exec.vu.idInTest % screens.length]
  if (!mine) return
  const token = data.tokens[mine.email]
  const ws = new WebSocket(
    `${API_URL.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${ANON_KEY}&vsn=1.0.0`,
  )
  let ref = 0
  /** @type {Record<string, number>} */
  const lastSeq = {}
  /** @param {string} topic @param {string} event @param {unknown} payload */
  const push = (topic, event, payload) =>
    ws.send(
      JSON.stringify({
        topic,
        event,
        payload,
        ref: String(++ref),
        join_ref: topic === 'phoenix' ? null : '1',
      }),
    )

  ws.onopen = () => {
    // Joins spread over the ramp, as staff opening their screens would.
    setTimeout(() => {
      for (const topic of mine.topics) {
        push(`realtime:${topic}`, 'phx_join', {
          config: { broadcast: { self: false, ack: false }, private: true },
          access_token: token,
        })
      }
    }, Math.random() * (RAMP_SECONDS - 5) * 1000)
    const heartbeat = setInterval(() => push('phoenix', 'heartbeat', {}), 25_000)
    setTimeout(() => {
      clearInterval(heartbeat)
      ws.close()
    }, (RAMP_SECONDS + SECONDS + 10) * 1000)
  }
  ws.onmessage = (event) => {
    if (!event || typeof event.data !== 'string') return
    const message = JSON.parse(event.data)
    if (message.event === 'phx_reply' && message.topic !== 'phoenix' && message.payload.status !== 'ok') {
      joinErrors.add(1)
    }
    if (message.event !== 'broadcast') return
    const envelope = message.payload.payload
    delivery.add(Date.now() - envelope.ts)
    deliveries.add(1)
    const previous = lastSeq[message.topic]
    if (previous !== undefined && envelope.seq > previous + 1) seqGaps.add(envelope.seq - previous - 1)
    if (previous === undefined || envelope.seq > previous) lastSeq[message.topic] = envelope.seq
  }
}

/** Per VU of the service scenario: its table's progress through TABLE_CYCLE. */
const table = {
  step: 0,
  /** @type {string | undefined} */ order: undefined,
  /** @type {string[]} */ items: [],
}

/** One step of this VU's table, then a pause that keeps all tables together at RATE steps/s. */
/** @param {ReturnType<typeof setup>} data */
export function serve(data) {
  const plan = demoTable(exec.vu.idInTest - 1)
  const step = TABLE_CYCLE[table.step]
  if (!step) return
  const request = cycleRequest(step.step, {
    table: plan.table,
    order: table.order,
    item: step.item === undefined ? undefined : table.items[step.item],
    items: plan.dishes.map((d) => d.id),
  })
  const key = `k6-${exec.vu.idInTest}-${exec.scenario.iterationInTest}-${Date.now()}`
  const res = http.post(`${API_URL}${functionPath(request.path)}`, JSON.stringify(request.body), {
    headers: {
      apikey: ANON_KEY,
      authorization: `Bearer ${data.tokens[plan.actor(step)]}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    tags: { name: `cycle ${step.step}` },
  })
  if (check(res, { 'table-cycle step 2xx': (r) => r.status >= 200 && r.status < 300 })) {
    if (step.step === 'place') {
      const placed = /** @type {any} */ (res.json())
      table.order = placed.order.id
      table.items = plan.dishes.map((d) =>
        placed.items.find((/** @type {{ menu_item_id: string }} */ i) => i.menu_item_id === d.id).id
      )
    }
    table.step = (table.step + 1) % TABLE_CYCLE.length
  }
  sleep(DEMO.tables.length / RATE)
}
