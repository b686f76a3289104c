// The Plater Realtime client: one socket, pooled scopes, a store per topic that never misses or double-applies,
// coalesced notifications, optimistic mutations with rebase, health and polling fallback. README.md in client/.
export {
  createPlaterClient,
  type CrewHandle,
  type HandleOf,
  type HealthApi,
  type Mutations,
  type PlaterClient,
  type PlaterClientInternals,
  type ScopeHandle,
} from './client.ts'
export type { PlaterClientOptions } from './config.ts'
export type { Clock } from '../../shared/clock.ts'
export type { BackoffOptions } from '../../shared/backoff.ts'
export {
  ApiError,
  ChannelLimitError,
  MutationError,
  NetworkError,
  PlaterError,
  ScopeAccessError,
} from './errors.ts'
export type { Health, ScopeHealth } from './health.ts'
export { classify, type Failure, isTransient, type RetryPolicy } from './retry.ts'
export type { HealthStatus, Status } from './status.ts'
export type { JoinOptions, LinkChannel, LinkHandlers, LinkStatus, RealtimeLink } from './link.ts'
export type { SharedRealtime } from './realtime-transport.ts'
export type { PendingMutation, QueueStorage } from './mutations/queue.ts'
export type { MutationArgs, MutationName, MutationResult, OrderLine } from './mutations/specs.ts'
export type { CrewMember, CrewMessage, CrewView } from './views/crew.ts'
export type { ScopeBatch, ScopeStatus } from './topic-scope.ts'
export type { StoreTrace } from './store.ts'
export type { ScopeKey, ScopeName, ScopeViews, ViewOf } from './scope-keys.ts'
export type { AdminView } from './views/admin.ts'
export type { WithPending } from './views/context.ts'
export type { ExpoOrder, ExpoView, StationProgress } from './views/expo.ts'
export type { FloorTableView, FloorView } from './views/floor.ts'
export type { KdsTicket, KdsTicketItem, KdsView, TicketStatus } from './views/kds.ts'
export type { ServerOrder, ServerView } from './views/server.ts'
export type * from './payloads.ts'
export { PAYLOAD_FIELDS } from './payloads.ts'
