import type { Session } from '../../contract/payloads.ts'
import { buildTopic, type TopicKind } from '../../contract/topics.ts'
import { emptyMaps } from './entities.ts'
import type { CrewView } from './views/crew.ts'
import { type AdminView, adminView } from './views/admin.ts'
import type { ViewInput } from './views/context.ts'
import { type ExpoView, expoView } from './views/expo.ts'
import { type FloorView, floorView } from './views/floor.ts'
import { type KdsView, kdsView } from './views/kds.ts'
import { type ServerView, serverView } from './views/server.ts'

/** What a screen subscribes to; the client maps it to the restaurant's topic. */
export type ScopeKey =
  | { scope: 'kds'; stationId: string }
  | { scope: 'expo' }
  /** A server's own orders and tables; managers may name another server. */
  | { scope: 'server'; staffId?: string }
  | { scope: 'floor' }
  | { scope: 'admin' }
  /** Staff-to-staff broadcasts and presence (no log, no snapshot). */
  | { scope: 'crew' }

export type ScopeName = ScopeKey['scope']

export interface ScopeViews {
  kds: KdsView
  expo: ExpoView
  server: ServerView
  floor: FloorView
  admin: AdminView
  crew: CrewView
}

export type ViewOf<K extends ScopeKey> = ScopeViews[K['scope']]

export const VIEW_BUILDERS: { [K in TopicKind]: (input: ViewInput) => ScopeViews[K] } = {
  kds: kdsView,
  expo: expoView,
  server: serverView,
  floor: floorView,
  admin: adminView,
}

/** The view of a scope with no data yet (stable per kind, for renders before the first load). */
const EMPTY_VIEWS = new Map<ScopeName, unknown>()
export function emptyView<K extends ScopeKey>(key: K): ViewOf<K> {
  let view = EMPTY_VIEWS.get(key.scope)
  if (!view) {
    view = key.scope === 'crew'
      ? { members: [], messages: [] }
      : VIEW_BUILDERS[key.scope]({ rows: emptyMaps(), pending: new Set(), scopeId: null, now: 0 })
    EMPTY_VIEWS.set(key.scope, view)
  }
  return view as ViewOf<K>
}

/**
 * A stable id for a scope key, known before the session is (so it is not the topic, which names the restaurant):
 * one pool entry per id.
 */
export function scopeKeyId(key: ScopeKey): string {
  switch (key.scope) {
    case 'kds':
      if (!key.stationId) throw new TypeError('open({scope: "kds"}) needs a stationId')
      return `kds/${key.stationId}`
    case 'server':
      return `server/${key.staffId ?? 'me'}`
    case 'expo':
    case 'floor':
    case 'admin':
    case 'crew':
      return key.scope
    default:
      throw new TypeError(`unknown scope ${(key as { scope: string }).scope}`)
  }
}

/** The topic of a scope for the signed-in staff member; the server decides at join whether they may read it. */
export function topicOf(
  key: Exclude<ScopeKey, { scope: 'crew' }>,
  session: Session,
): { topic: string; scopeId: string | null } {
  const restaurant = session.restaurant.id
  switch (key.scope) {
    case 'kds':
      return {
        topic: buildTopic({ kind: 'kds', restaurant, station: key.stationId }),
        scopeId: key.stationId,
      }
    case 'server': {
      const staff = key.staffId ?? session.staff.user_id
      return { topic: buildTopic({ kind: 'server', restaurant, staff }), scopeId: staff }
    }
    default:
      return { topic: buildTopic({ kind: key.scope, restaurant }), scopeId: null }
  }
}
