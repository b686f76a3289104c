// @ts-check
/**
 * Scenario definitions shared by the npm harness (`npm run bench`, load/cli.ts) and the k6 scripts, so the two
 * cannot drift: the product's targets, the topics a restaurant's staff read, the rates and the payload shapes.
 * Plain JavaScript with JSDoc types: k6 imports it as is, and the TypeScript harness reads its types
 * (`npm run typecheck` checks it under both configurations).
 */

/**
 * The product's performance targets (why these numbers: docs/decisions.md "Targets"), one entry per figure the
 * report compares: `max` = at most, `min` = at least.
 */
export const TARGETS = {
  service: {
    sockets: 10_000,
    minTopics: 500,
    mutationsPerSecond: 500,
    p50Ms: { max: 5 },
    p95Ms: { max: 20 },
    p99Ms: { max: 50 },
    lost: { max: 0 },
  },
  hotTopic: {
    subscribers: 1_000,
    messagesPerSecond: 200,
    deliveredRatio: { min: 0.999 },
    p99Ms: { max: 100 },
  },
  fanoutCeiling: { deliveriesPerSecond: { min: 150_000 } },
  chaos: { lost: { max: 0 }, duplicatesHeld: { max: 0 } },
  connections: { sockets: 10_000, rssPerIdleSocketBytes: { max: 10_240 } },
  mutations: { requestsPerSecond: 200, p95Ms: { max: 20 } },
  revalidations: { perSecond: { min: 5_000 } },
  bytes: { reductionCook: { min: 0.9 }, reductionServer: { min: 0.9 } },
  baselines: {
    vsBareDeliveriesRatio: { min: 0.8 },
    latencyCeilingP99Ms: 100,
    vsRelayDeliveriesRatio: { min: 1 },
  },
  joinFlood: { anonymousJoinsPerSecond: 300, staffJoinSuccess: { min: 1 } },
  /** Every figure: the median of five consecutive runs meets it, and no run is worse than twice the target. */
  runs: 5,
  worstRunFactor: 2,
}

/**
 * The i-th element of a list, round robin.
 * @template T
 * @param {readonly T[]} list
 * @param {number} i
 * @returns {T}
 */
function pick(list, i) {
  const value = list[i % list.length]
  if (value === undefined) throw new Error('pick from an empty list')
  return value
}

/** @param {string} suffix */
const bistro = (suffix) => `00000000-0000-4000-8000-00000000${suffix}`

/** The seeded demo restaurant (supabase/seed.sql): fixed ids and accounts, every password `plater-demo`. */
export const DEMO = {
  restaurant: bistro('b001'),
  password: 'plater-demo',
  staff: {
    manager: 'manager@bistro.test',
    expo: 'expo@bistro.test',
    cooks: ['cook.grill@bistro.test', 'cook.fry@bistro.test'],
    servers: ['server.ana@bistro.test', 'server.ben@bistro.test'],
  },
  /** User ids by email, and the station of each cook. */
  /** @type {Record<string, string>} */
  ids: {
    'manager@bistro.test': bistro('b101'),
    'expo@bistro.test': bistro('b102'),
    'cook.grill@bistro.test': bistro('b103'),
    'cook.fry@bistro.test': bistro('b104'),
    'server.ana@bistro.test': bistro('b105'),
    'server.ben@bistro.test': bistro('b106'),
  },
  /** @type {Record<string, string>} */
  stationOfCook: { 'cook.grill@bistro.test': bistro('b0a1'), 'cook.fry@bistro.test': bistro('b0a2') },
  /** T1…T12. */
  tables: Array.from({ length: 12 }, (_, i) => bistro(`b2${String(i + 1).padStart(2, '0')}`)),
  /** One dish per station: grill, fry, salad, bar (the last two have no cook in the seed). */
  dishes: [
    { id: bistro('b301'), station: bistro('b0a1') },
    { id: bistro('b307'), station: bistro('b0a2') },
    { id: bistro('b312'), station: bistro('b0a3') },
    { id: bistro('b317'), station: bistro('b0a4') },
  ],
}

/**
 * The demo bistro's screens: each role's topics and whose token reads them (a cook its station's kds; a server its
 * own server topic and the floor; expo the expo topic; the manager the admin feed).
 * @returns {{ role: string; email: string; topics: string[] }[]}
 */
export function demoScreens() {
  const r = DEMO.restaurant
  const cook = pick(DEMO.staff.cooks, 0)
  const server = pick(DEMO.staff.servers, 0)
  return [
    { role: 'cook', email: cook, topics: [TOPICS.kds(r, String(DEMO.stationOfCook[cook]))] },
    { role: 'server', email: server, topics: [TOPICS.server(r, String(DEMO.ids[server])), TOPICS.floor(r)] },
    { role: 'expo', email: DEMO.staff.expo, topics: [TOPICS.expo(r)] },
    { role: 'manager', email: DEMO.staff.manager, topics: [TOPICS.admin(r)] },
  ]
}

/**
 * The n-th table's service in the demo bistro: tables alternate between the two servers; an order takes two dishes
 * from the stations in turn; a dish is started and finished by its station's cook, or by expo where none works.
 * @param {number} n
 */
export function demoTable(n) {
  const dishes = [pick(DEMO.dishes, n), pick(DEMO.dishes, n + 1)]
  const server = pick(DEMO.staff.servers, n)
  /** Who does a TABLE_CYCLE step. @param {{ as: string; item?: number }} step */
  const actor = (step) => {
    if (step.as === 'server') return server
    const station = step.item === undefined ? undefined : pick(dishes, step.item).station
    const cook = DEMO.staff.cooks.find((email) => DEMO.stationOfCook[email] === station)
    return step.as === 'cook' && cook ? cook : DEMO.staff.expo
  }
  return { table: pick(DEMO.tables, n), dishes, server, actor }
}

/** Every topic the demo bistro's writes publish to. */
export function demoTopics() {
  const r = DEMO.restaurant
  return [
    ...[...new Set(DEMO.dishes.map((d) => d.station))].map((station) => TOPICS.kds(r, station)),
    TOPICS.expo(r),
    TOPICS.floor(r),
    TOPICS.admin(r),
    ...DEMO.staff.servers.map((email) => TOPICS.server(r, String(DEMO.ids[email]))),
  ]
}

/** Topic names (docs/topics.md). */
export const TOPICS = {
  /** @param {string} restaurant @param {string} station */
  kds: (restaurant, station) => `kds:${restaurant}:${station}`,
  /** @param {string} restaurant */
  expo: (restaurant) => `expo:${restaurant}`,
  /** @param {string} restaurant */
  floor: (restaurant) => `floor:${restaurant}`,
  /** @param {string} restaurant */
  admin: (restaurant) => `admin:${restaurant}`,
  /** @param {string} restaurant @param {string} staff */
  server: (restaurant, staff) => `server:${restaurant}:${staff}`,
}

/**
 * Staff on shift in a full-service restaurant, by role (servers are the largest group; one expo; a manager):
 * the mix of simulated users and of realistic-service sockets.
 */
export const STAFF_MIX = { server: 0.5, cook: 0.3, expo: 0.1, manager: 0.1 }

/**
 * One table's service, step by step, as the functions expose it (functions/README.md). `as` is who does it;
 * `item` steps act on the order's n-th item. A table runs one step at a time.
 * @type {ReadonlyArray<{ step: string; as: 'server' | 'cook' | 'expo'; item?: number }>}
 */
export const TABLE_CYCLE = [
  { step: 'seat', as: 'server' },
  { step: 'place', as: 'server' },
  { step: 'start', as: 'cook', item: 0 },
  { step: 'start', as: 'cook', item: 1 },
  { step: 'finish', as: 'cook', item: 0 },
  { step: 'finish', as: 'cook', item: 1 },
  { step: 'serve', as: 'server' },
  { step: 'clear', as: 'server' },
]

/**
 * The function call of a table-cycle step: method, path under /functions/v1 and body.
 * @param {string} step
 * @param {{ table: string; order?: string; item?: string; items?: string[] }} ids
 * @returns {{ path: string; body: unknown }}
 */
export function cycleRequest(step, ids) {
  switch (step) {
    case 'seat':
      return { path: `tables/${ids.table}/seat`, body: { party_size: 2 } }
    case 'place':
      return {
        path: 'orders',
        body: {
          table_id: ids.table,
          items: (ids.items ?? []).map((id) => ({ menu_item_id: id, qty: 1, notes: 'bench' })),
        },
      }
    case 'start':
    case 'finish':
      return { path: `kitchen/items/${ids.item}/${step}`, body: {} }
    case 'serve':
      return { path: `orders/${ids.order}/serve`, body: {} }
    case 'clear':
      return { path: `tables/${ids.table}/clear`, body: {} }
    default:
      throw new Error(`unknown table-cycle step ${step}`)
  }
}

/** Realistic service, the §7 scenario: 100 restaurants, 10 000 sockets, 500 mutations/s. */
export const SERVICE = { restaurants: 100, sockets: 10_000, mutationsPerSecond: 500, seconds: 30 }

/**
 * The hot-topic message: a KDS item envelope (docs/topics.md) of about 330 bytes of JSON. `seq` and the
 * timestamps are filled per message.
 */
export const HOT_TOPIC_ITEM = {
  seq: 0,
  ts: 0,
  type: 'item',
  id: '6f1c2b7a-1d2e-4c5b-9a8f-0e1d2c3b4a59',
  version: 3,
  order_id: '0a9e3c1d-2b4f-4e6a-8c7d-5f3e2a1b0c9d',
  table: 'T12',
  course: 1,
  name: 'Ribeye 300g',
  qty: 1,
  modifiers: ['medium rare', 'no butter'],
  notes: 'allergy: shellfish',
  allergens: ['dairy'],
  status: 'pending',
  fired_at: '2026-11-27T12:00:00Z',
}

/** The hot topic: 1 000 subscribers on one topic; the sweep's rates (messages/s) find each system's ceiling. */
export const HOT_TOPIC = { subscribers: 1_000, rate: 200, event: 'tick', sweep: [50, 100, 200, 300, 400] }
