// Topic names, built and parsed in one place (docs/topics.md "Topics"): every topic is `<kind>:<restaurant>`,
// plus the station for `kds` and the staff member for `server`. The database checks the same grammar when it
// authorises a join (`can_read_topic`), so a name built here is one the database recognises.

/** Topic kinds with a snapshot and a log (the database publishes on them). */
export type TopicKind = 'kds' | 'expo' | 'server' | 'floor' | 'admin'
export const SNAPSHOT_KINDS: readonly TopicKind[] = ['kds', 'expo', 'server', 'floor', 'admin']

/** Every topic kind: the snapshot-bearing ones and `crew`, which carries the staff's own broadcasts only. */
export type ScopeName = TopicKind | 'crew'
export const TOPIC_KINDS: readonly ScopeName[] = /* @__PURE__ */ withCrew(SNAPSHOT_KINDS)

// The constants below are built by calls marked `@__PURE__` (templates and spreads inside the functions): a
// bundle that uses none of them leaves them out — the client's browser bundle (tests/package/size.test.ts).

function withCrew(kinds: readonly TopicKind[]): readonly ScopeName[] {
  return [...kinds, 'crew']
}

function anchored(pattern: string): RegExp {
  return new RegExp(`^${pattern}$`)
}

/** A uuid in any case, as Postgres prints and accepts them. */
export const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
const UUID = /* @__PURE__ */ anchored(UUID_PATTERN)

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/** A topic, by its parts. */
export type Topic =
  | { kind: 'kds'; restaurant: string; station: string }
  | { kind: 'server'; restaurant: string; staff: string }
  | { kind: 'expo' | 'floor' | 'admin' | 'crew'; restaurant: string }

/** The grammar in words, for error messages and docs. */
export const TOPIC_GRAMMAR = {
  kds: 'kds:{restaurant}:{station}',
  expo: 'expo:{restaurant}',
  server: 'server:{restaurant}:{staff}',
  floor: 'floor:{restaurant}',
  admin: 'admin:{restaurant}',
  crew: 'crew:{restaurant}',
} as const satisfies Record<ScopeName, string>

/** Matches exactly the names of snapshot-bearing topics (the ones `snapshot` and `catch-up` serve). */
export const SNAPSHOT_TOPIC = /* @__PURE__ */ snapshotTopic()

function snapshotTopic(): RegExp {
  return anchored(`(?:(?:kds|server):${UUID_PATTERN}:${UUID_PATTERN}|(?:expo|floor|admin):${UUID_PATTERN})`)
}

/** The cheap check for hot paths: a snapshot-bearing topic name. */
export function isSnapshotTopic(value: string | null | undefined): value is string {
  return typeof value === 'string' && SNAPSHOT_TOPIC.test(value)
}

export function buildTopic(topic: Topic): string {
  switch (topic.kind) {
    case 'kds':
      return `kds:${topic.restaurant}:${topic.station}`
    case 'server':
      return `server:${topic.restaurant}:${topic.staff}`
    default:
      return `${topic.kind}:${topic.restaurant}`
  }
}

/** The parts of a topic name, or undefined when it is not one (wrong kind, part count or a part not a uuid). */
export function parseTopic(name: string): Topic | undefined {
  const [kind, restaurant, third, ...rest] = name.split(':')
  if (rest.length > 0 || restaurant === undefined || !isUuid(restaurant)) return undefined
  switch (kind) {
    case 'kds':
      return third !== undefined && isUuid(third) ? { kind, restaurant, station: third } : undefined
    case 'server':
      return third !== undefined && isUuid(third) ? { kind, restaurant, staff: third } : undefined
    case 'expo':
    case 'floor':
    case 'admin':
    case 'crew':
      return third === undefined ? { kind, restaurant } : undefined
    default:
      return undefined
  }
}

export interface RestaurantScopes {
  stations: readonly string[]
  /** Staff who can own tables and orders (servers and managers): each has a `server:` topic. */
  servers: readonly string[]
}

/** Every topic of a restaurant that has a snapshot. */
export function restaurantTopics(restaurant: string, scopes: RestaurantScopes): string[] {
  return [
    buildTopic({ kind: 'floor', restaurant }),
    buildTopic({ kind: 'expo', restaurant }),
    buildTopic({ kind: 'admin', restaurant }),
    ...scopes.stations.map((station) => buildTopic({ kind: 'kds', restaurant, station })),
    ...scopes.servers.map((staff) => buildTopic({ kind: 'server', restaurant, staff })),
  ]
}
