/**
 * The tenant a topic's join and broadcast budgets are charged to. Realtime's tenant is the project, so one
 * restaurant's staff could spend every restaurant's budget; here it is the restaurant the topic names
 * (docs/topics.md: `kds:{restaurant}:{station}`, `expo:`, `server:`, `floor:`, `admin:`, `crew:{restaurant}`).
 *
 * Only a private topic the caller was authorized for (RLS read on join, write on send) is charged to its
 * restaurant: anyone may name any restaurant in a public topic or an unauthorised join, and that must not spend
 * the restaurant's budget. Everything else shares a pool that no restaurant's staff depend on.
 */

const RESTAURANT_TOPIC =
  /^(?:kds|expo|server|floor|admin|crew):([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})(?::|$)/

/** Pools for topics that name no restaurant (or that the caller could not be authorized for). */
export const SHARED_TENANT = { anonymous: 'anonymous', signedIn: 'signed-in', public: 'public' } as const

/** The restaurant a topic belongs to, or null when it follows none of the topic grammars. */
export function restaurantOf(subTopic: string): string | null {
  const id = RESTAURANT_TOPIC.exec(subTopic)?.[1]
  return id ? `restaurant:${id.toLowerCase()}` : null
}

/** Client broadcasts: a private topic's restaurant (RLS write already admitted the sender), else one shared pool. */
export function broadcastTenant(subTopic: string, isPrivate: boolean): string {
  return (isPrivate ? restaurantOf(subTopic) : null) ?? SHARED_TENANT.public
}
