// @ts-check
/**
 * k6 version of load/scenarios/functions.ts: edge-function mutations at a constant arrival rate, then snapshot
 * revalidations (304) from a pool of virtual users. Against a stack started with the sign-in budget raised (its
 * staff sign in from one address on every run: load/bench/limits.ts):
 *
 *   env $(npx tsx load/bench/limits.ts k6-functions-mutations) npx plater start   # in another shell
 *   eval "$(npx plater status -o env)"
 *   k6 run -e API_URL=$API_URL -e ANON_KEY=$ANON_KEY load/k6/functions-mutations.js
 *
 * Options (-e): MENU_ITEM_ID (the seed's Ribeye), RATE (200/s), SECONDS (30), ITEMS (60), REVALIDATE_VUS (32), REVALIDATE_SECONDS (10),
 * TABLE_ID (default: the last free table of the floor snapshot). Thresholds are the targets (TARGETS in scenarios.js).
 * Type-check: npx tsc -p load/k6 (part of `npm run typecheck`).
 */
import { check, fail } from 'k6'
import exec from 'k6/execution'
import http from 'k6/http'
import { DEMO, TARGETS } from './scenarios.js'
import { functionPath, SIGN_IN_PATH } from './routes.js'

const API_URL = __ENV.API_URL || 'http://127.0.0.1:54321'
const ANON_KEY = __ENV.ANON_KEY || fail('ANON_KEY is required')
const MENU_ITEM_ID = __ENV.MENU_ITEM_ID || DEMO.dishes[0]?.id ||
  fail('MENU_ITEM_ID is required (a menu item of the demo bistro)')
const RESTAURANT = DEMO.restaurant
const RATE = Number(__ENV.RATE || TARGETS.mutations.requestsPerSecond)
const SECONDS = Number(__ENV.SECONDS || 30)
const ITEMS = Number(__ENV.ITEMS || 60)
const REVALIDATE_VUS = Number(__ENV.REVALIDATE_VUS || 32)
const REVALIDATE_SECONDS = Number(__ENV.REVALIDATE_SECONDS || 10)

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    mutations: {
      executor: 'constant-arrival-rate',
      exec: 'mutate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${SECONDS}s`,
      preAllocatedVUs: 50,
      maxVUs: 400,
    },
    revalidations: {
      executor: 'constant-vus',
      exec: 'revalidate',
      vus: REVALIDATE_VUS,
      duration: `${REVALIDATE_SECONDS}s`,
      startTime: `${SECONDS + 2}s`,
    },
  },
  thresholds: {
    'http_req_duration{scenario:mutations}': [`p(95)<${TARGETS.mutations.p95Ms.max}`],
    'checks{scenario:mutations}': ['rate>0.999'],
    'checks{scenario:revalidations}': ['rate>0.999'],
    'http_reqs{scenario:revalidations}': [`rate>=${TARGETS.revalidations.perSecond.min}`],
  },
}

/**
 * @param {string} token
 * @param {Record<string, string>} [extra]
 */
function headers(token, extra = {}) {
  return { apikey: ANON_KEY, authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra }
}

function key() {
  return `k6-${exec.vu.idInTest}-${exec.scenario.iterationInTest}-${Date.now()}-${
    Math.random().toString(36).slice(2)
  }`
}

/** @param {string} email */
function signIn(email) {
  const res = http.post(`${API_URL}${SIGN_IN_PATH}`, JSON.stringify({ email, password: DEMO.password }), {
    headers: { apikey: ANON_KEY, 'content-type': 'application/json' },
  })
  if (res.status !== 200) fail(`sign-in of ${email}: ${res.status} ${res.body}`)
  return /** @type {{ access_token: string }} */ (res.json()).access_token
}

/**
 * @param {string} token
 * @param {string} path
 * @param {unknown} [body]
 */
function mutateOnce(token, path, body = {}) {
  const res = http.post(`${API_URL}${functionPath(path)}`, JSON.stringify(body), {
    headers: headers(token, { 'idempotency-key': key() }),
  })
  if (res.status >= 300) fail(`setup ${path}: ${res.status} ${res.body}`)
  return /** @type {any} */ (res.json())
}

export function setup() {
  const server = signIn(DEMO.staff.servers[0])
  const expo = signIn(DEMO.staff.expo)
  const manager = signIn(DEMO.staff.manager)
  let tableId = __ENV.TABLE_ID
  if (!tableId) {
    const floor = http.get(`${API_URL}${functionPath(`snapshot?topic=floor:${RESTAURANT}`)}`, {
      headers: headers(server),
    })
    /** @type {{ id: string; status: string }[]} */
    const tables = /** @type {any} */ (floor.json()).data.tables
    const free = tables.filter((t) => t.status === 'free')
    tableId = free[free.length - 1]?.id ?? fail('no free table')
  }
  mutateOnce(server, `tables/${tableId}/seat`, { party_size: 4 })
  const placed = mutateOnce(server, 'orders', {
    table_id: tableId,
    items: Array.from({ length: ITEMS }, () => ({ menu_item_id: MENU_ITEM_ID, qty: 1 })),
  })
  /** @type {string[]} */
  const items = placed.items.map((/** @type {{ id: string }} */ item) => item.id)
  for (const id of items) mutateOnce(expo, `kitchen/items/${id}/start`)
  const topic = `floor:${RESTAURANT}`
  return { server, expo, manager, tableId, orderId: placed.order.id, items, topic }
}

/** @param {ReturnType<typeof setup>} data */
export function mutate(data) {
  const n = exec.scenario.iterationInTest
  const item = data.items[n % data.items.length]
  // each item alternates finish ⇄ recall; round robin keeps one item's moves ~ITEMS/RATE seconds apart
  const action = Math.floor(n / data.items.length) % 2 === 0 ? 'finish' : 'recall'
  const res = http.post(`${API_URL}${functionPath(`kitchen/items/${item}/${action}`)}`, '{}', {
    headers: headers(data.expo, { 'idempotency-key': key() }),
    tags: { name: `kitchen ${action}` },
  })
  check(res, { 'mutation 200': (r) => r.status === 200 })
}

/** @type {string | undefined} */
let etag

/** @param {ReturnType<typeof setup>} data */
export function revalidate(data) {
  const url = `${API_URL}${functionPath(`snapshot?topic=${data.topic}`)}`
  if (etag === undefined) etag = String(http.get(url, { headers: headers(data.server) }).headers['Etag'])
  const res = http.get(url, {
    headers: headers(data.server, { 'if-none-match': etag }),
    tags: { name: 'snapshot 304' },
  })
  check(res, { 'revalidation 304': (r) => r.status === 304 })
}

/** @param {ReturnType<typeof setup>} data */
export function teardown(data) {
  mutateOnce(data.manager, `orders/${data.orderId}/cancel`, { reason: 'k6' })
  mutateOnce(data.server, `tables/${data.tableId}/clear`)
}
