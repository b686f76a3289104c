// Topic names with a snapshot and a log (docs/topics.md); `crew` carries client broadcasts only and has neither.
import { z } from './deps.ts'

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
const TOPIC = new RegExp(`^(?:(?:kds|server):${UUID}:${UUID}|(?:expo|floor|admin):${UUID})$`)

/** The cheap check for hot paths; `topicSchema` gives the field-level error when it fails. */
export function isTopic(value: string | null): value is string {
  return value !== null && TOPIC.test(value)
}

export const topicSchema = z.string({ error: 'topic is required' })
  .regex(TOPIC, {
    error:
      'topic must be kds:{restaurant}:{station}, expo:{restaurant}, server:{restaurant}:{staff}, floor:{restaurant} or admin:{restaurant}',
  })

export interface RestaurantScopes {
  stations: string[]
  /** Staff who can own tables and orders (servers and managers): each has a `server:` topic. */
  servers: string[]
}

/** Every topic of a restaurant that has a snapshot. */
export function restaurantTopics(restaurant: string, scopes: RestaurantScopes): string[] {
  return [
    `floor:${restaurant}`,
    `expo:${restaurant}`,
    `admin:${restaurant}`,
    ...scopes.stations.map((station) => `kds:${restaurant}:${station}`),
    ...scopes.servers.map((staff) => `server:${restaurant}:${staff}`),
  ]
}
