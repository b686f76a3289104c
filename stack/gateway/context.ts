import type { Logger } from '../log.ts'
import type { JwtVerifier } from './auth/jwt.ts'
import type { PolicyProbe } from './auth/policies.ts'
import type { Clock } from '../../shared/clock.ts'
import type { RateBudgets } from './limits.ts'
import type { GatewayMetrics } from './metrics.ts'
import type { GatewayOptions } from './options.ts'
import type { TopicRegistry } from './registry.ts'
import type { ReplayReader } from './replay.ts'
import type { ThrottledWarning } from './throttled-warning.ts'
import type { ConnectionCounts } from './transport/connections.ts'

/** The gateway-wide services every socket and channel uses; built once in index.ts. */
export interface GatewayContext {
  readonly options: GatewayOptions
  readonly log: Logger
  readonly metrics: GatewayMetrics
  readonly verifier: JwtVerifier
  readonly probe: PolicyProbe
  readonly registry: TopicRegistry
  /** Joins per caller and per tenant (limits.ts, tenant.ts). */
  readonly joinBudgets: RateBudgets
  /** Client broadcasts (socket and REST) per REST caller and per tenant. */
  readonly eventBudgets: RateBudgets
  /** Open sockets per address, key and user. */
  readonly connections: ConnectionCounts
  readonly clock: Clock
  /** Dropped client frames: one log line per interval for the whole gateway. */
  readonly malformedFrameWarning: ThrottledWarning
  readonly replay: ReplayReader
  /** The database stream: while it is `down`, joins are refused. */
  readonly stream: { readonly down: boolean }
}
