/**
 * Gateway limits. Defaults are Supabase Realtime's server defaults (config/runtime.exs, Tenant), so an app
 * meets the same limits locally as on hosted Supabase; each can be raised with a `PLATER_REALTIME_*`
 * variable (the load harness raises the join rate, for instance).
 */
export interface GatewayOptions {
  /** TENANT_MAX_CHANNELS_PER_CLIENT. */
  readonly maxChannelsPerClient: number;
  /**
   * TENANT_MAX_JOINS_PER_SECOND, averaged over a 5 s window like Realtime's rate counter; here the budget of
   * each of two pools, anonymous joins and signed-in ones, so neither can spend the other's.
   */
  readonly maxJoinsPerSecond: number;
  /**
   * Joins one caller (JWT `sub`, else remote address) may make per second, over the same window. Unless set,
   * half a pool's: raising the pools (as the benchmarks do) raises it with them.
   */
  readonly maxJoinsPerCaller: number;
  /** Joins one socket may make per second, over the same window. Unless set, a fifth of a pool's. */
  readonly maxJoinsPerSocket: number;
  /** Phoenix transport max_frame_size; larger frames close the socket (1009). */
  readonly maxFrameBytes: number;
  /** max_payload_size_in_kb (3000) + 500 bytes of envelope. */
  readonly maxPayloadBytes: number;
  /** Bytes a socket may have queued but unsent before it is dropped as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** Least time between two fan-out flushes (they also pace themselves by their own cost); 0 = none. */
  readonly flushIntervalMs: number;
  /** Phoenix's websocket idle timeout: a socket silent this long is closed. */
  readonly idleTimeoutMs: number;
  /** CHANNEL_ERROR_BACKOFF_MS: a failed join is answered after this delay. */
  readonly joinErrorBackoffMs: number;
  /** CONNECT_ERROR_BACKOFF_MS: a refused upgrade is answered after this delay. */
  readonly connectErrorBackoffMs: number;
  /** CLIENT_PRESENCE_MAX_CALLS per CLIENT_PRESENCE_WINDOW_MS. */
  readonly presenceMaxCalls: number;
  readonly presenceWindowMs: number;
  /** Connections the gateway keeps for authorization probes and replay queries. */
  readonly dbPoolSize: number;
  /** Logical replication slot; two gateways on one database need different names. */
  readonly slotName: string;
}

/** No caller can take more than half a pool's joins, no socket more than a fifth. */
const CALLER_SHARE_OF_POOL = 0.5;
const SOCKET_SHARE_OF_POOL = 0.2;

export const DEFAULT_OPTIONS: GatewayOptions = {
  maxChannelsPerClient: 100,
  maxJoinsPerSecond: 100,
  maxJoinsPerCaller: 100 * CALLER_SHARE_OF_POOL,
  maxJoinsPerSocket: 100 * SOCKET_SHARE_OF_POOL,
  maxFrameBytes: 5_000_000,
  maxPayloadBytes: 3000 * 1024 + 500,
  maxBufferedBytes: 1024 * 1024,
  flushIntervalMs: 0,
  idleTimeoutMs: 60_000,
  joinErrorBackoffMs: 5000,
  connectErrorBackoffMs: 2000,
  presenceMaxCalls: 5,
  presenceWindowMs: 30_000,
  dbPoolSize: 8,
  slotName: 'plater_realtime_messages',
};

type NumericOption = Exclude<keyof GatewayOptions, 'slotName'>;

const ENV: Record<NumericOption, string> = {
  maxChannelsPerClient: 'PLATER_REALTIME_MAX_CHANNELS_PER_CLIENT',
  maxJoinsPerSecond: 'PLATER_REALTIME_MAX_JOINS_PER_SECOND',
  maxJoinsPerCaller: 'PLATER_REALTIME_MAX_JOINS_PER_CALLER',
  maxJoinsPerSocket: 'PLATER_REALTIME_MAX_JOINS_PER_SOCKET',
  maxFrameBytes: 'PLATER_REALTIME_MAX_FRAME_BYTES',
  maxPayloadBytes: 'PLATER_REALTIME_MAX_PAYLOAD_BYTES',
  maxBufferedBytes: 'PLATER_REALTIME_MAX_BUFFERED_BYTES',
  flushIntervalMs: 'PLATER_REALTIME_FLUSH_INTERVAL_MS',
  idleTimeoutMs: 'PLATER_REALTIME_IDLE_TIMEOUT_MS',
  joinErrorBackoffMs: 'PLATER_REALTIME_JOIN_ERROR_BACKOFF_MS',
  connectErrorBackoffMs: 'PLATER_REALTIME_CONNECT_ERROR_BACKOFF_MS',
  presenceMaxCalls: 'PLATER_REALTIME_PRESENCE_MAX_CALLS',
  presenceWindowMs: 'PLATER_REALTIME_PRESENCE_WINDOW_MS',
  dbPoolSize: 'PLATER_REALTIME_DB_POOL_SIZE',
};

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayOptions {
  const numbers: Partial<Record<NumericOption, number>> = {};
  for (const [key, name] of Object.entries(ENV) as [NumericOption, string][]) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0)
      throw new Error(`${name} must be a non-negative number, got "${value}"`);
    numbers[key] = number;
  }
  const joinsPerSecond = numbers.maxJoinsPerSecond ?? DEFAULT_OPTIONS.maxJoinsPerSecond;
  return {
    ...DEFAULT_OPTIONS,
    maxJoinsPerCaller: joinsPerSecond * CALLER_SHARE_OF_POOL,
    maxJoinsPerSocket: joinsPerSecond * SOCKET_SHARE_OF_POOL,
    ...numbers,
    slotName: env.PLATER_REALTIME_SLOT || DEFAULT_OPTIONS.slotName,
  };
}
