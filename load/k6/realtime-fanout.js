// @ts-check
/**
 * k6 version of the hot-topic fan-out (load/gateway-latency.ts): SUBSCRIBERS sockets join one public
 * channel through the Realtime protocol, and a publisher sends RATE broadcasts/s through the REST endpoint
 * (POST /realtime/v1/api/broadcast); each subscriber records publish → receive latency.
 *
 * k6 has no Postgres client, so this measures HTTP broadcast → socket, not database commit → socket;
 * gateway-latency.ts measures the database path. Subscribers speak vsn 1.0.0 (JSON text): k6 has no
 * TextDecoder to unpack vsn 2.0.0's binary kind-4 frames. Against a stack started with the limits a load generator
 * on one address must exceed (sockets per address and key, joins per caller, broadcasts per restaurant and caller:
 * load/bench/limits.ts says why):
 *
 *   env $(npx tsx load/bench/limits.ts k6-realtime-fanout) npx plater start   # in another shell
 *   eval "$(npx plater status -o env)"
 *   k6 run -e API_URL=$API_URL -e ANON_KEY=$ANON_KEY load/k6/realtime-fanout.js
 *
 * Options (-e): SUBSCRIBERS (1000), RATE (200/s), SECONDS (30). The gateway's joins per second
 * (PLATER_REALTIME_MAX_JOINS_PER_SECOND) stay at Supabase's default: ramping 1000 joins takes 10 s at 100/s.
 * Type-check: npx tsc -p load/k6 (part of `npm run typecheck`).
 */
import { check, fail } from 'k6'
import http from 'k6/http'
import { Counter, Trend } from 'k6/metrics'
import { clearInterval, setInterval, setTimeout } from 'k6/timers'
import { WebSocket } from 'k6/websockets'
import { HOT_TOPIC, HOT_TOPIC_ITEM, TARGETS } from './scenarios.js'
import { BROADCAST_PATH, REALTIME_SOCKET_PATH } from './routes.js'

const API_URL = __ENV.API_URL || 'http://127.0.0.1:54321'
const ANON_KEY = __ENV.ANON_KEY || fail('ANON_KEY is required')
const SUBSCRIBERS = Number(__ENV.SUBSCRIBERS || HOT_TOPIC.subscribers)
const RATE = Number(__ENV.RATE || HOT_TOPIC.rate)
const SECONDS = Number(__ENV.SECONDS || 30)
const TOPIC = 'k6-fanout'
/** Subscribers join during this window before the publisher starts. */
const RAMP_SECONDS = Math.ceil(SUBSCRIBERS / 100) + 5

const delivery = new Trend('realtime_delivery_ms', true)
const deliveries = new Counter('realtime_deliveries')
const published = new Counter('realtime_published')

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    subscribers: {
      executor: 'per-vu-iterations',
      exec: 'subscribe',
      vus: SUBSCRIBERS,
      iterations: 1,
      maxDuration: `${RAMP_SECONDS + SECONDS + 30}s`,
    },
    publisher: {
      executor: 'constant-arrival-rate',
      exec: 'publish',
      rate: RATE,
      timeUnit: '1s',
      duration: `${SECONDS}s`,
      startTime: `${RAMP_SECONDS}s`,
      preAllocatedVUs: 20,
      maxVUs: 200,
    },
  },
  thresholds: {
    // The hot-topic target (TARGETS in scenarios.js): p99 ≤ 100 ms.
    realtime_delivery_ms: [`p(99)<${TARGETS.hotTopic.p99Ms.max}`],
    'checks{scenario:publisher}': ['rate>0.999'],
  },
}

export function subscribe() {
  const ws = new WebSocket(
    `${API_URL.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${ANON_KEY}&vsn=1.0.0`,
  )
  let ref = 0
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
    push(`realtime:${TOPIC}`, 'phx_join', {
      config: { broadcast: { self: false, ack: false }, private: false },
    })
    // The official client's heartbeat; without it the gateway closes an idle socket after 60 s.
    const heartbeat = setInterval(() => push('phoenix', 'heartbeat', {}), 25_000)
    setTimeout(
      () => {
        clearInterval(heartbeat)
        ws.close()
      },
      (RAMP_SECONDS + SECONDS + 10) * 1000,
    )
  }
  ws.onmessage = (event) => {
    if (!event || typeof event.data !== 'string') return
    const message = JSON.parse(event.data)
    if (message.event !== 'broadcast' || message.payload.event !== HOT_TOPIC.event) return
    delivery.add(Date.now() - message.payload.payload.sentAt)
    deliveries.add(1)
  }
}

export function publish() {
  const res = http.post(
    `${API_URL}${BROADCAST_PATH}`,
    JSON.stringify({
      messages: [{
        topic: TOPIC,
        event: HOT_TOPIC.event,
        payload: { ...HOT_TOPIC_ITEM, sentAt: Date.now() },
        private: false,
      }],
    }),
    { headers: { apikey: ANON_KEY, 'content-type': 'application/json' } },
  )
  check(res, { 'broadcast accepted (202)': (r) => r.status === 202 })
  published.add(1)
}
