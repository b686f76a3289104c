import { readFileSync } from 'node:fs'
import type { Sql } from 'postgres'
import { signApiKey } from '../../../stack/testing/index.ts'
import type { Progress } from '../../bench/progress.ts'
import type { GatewayProcess } from '../../bench/gateway/process.ts'
import { type Fixture, socketSpecs } from './fixture.ts'
import type { CapacityOptions, System } from './options.ts'
import { joinSubscribers } from './subscribers.ts'
import { sweep, type SystemSweeps } from './sweeps.ts'
import type { TableWriter } from './writer.ts'

export interface SystemRun extends SystemSweeps {
  readonly system: System
  readonly joinSeconds: number
  readonly joinErrors: number
}

const PEER_SQL = new URL('./peer.sql', import.meta.url)
const PEER_UNDO_SQL = new URL('./peer-undo.sql', import.meta.url)

/** Takes the peer's bench-only SQL off the database (also when it was never applied: a run that died). */
export async function removePeer(sql: Sql): Promise<void> {
  await sql.unsafe(readFileSync(PEER_UNDO_SQL, 'utf8'))
}

export interface SystemContext {
  readonly sql: Sql
  readonly probeSql: Sql
  readonly jwtSecret: string
  readonly gateway: GatewayProcess
  /** Joins per second the gateway admits from the harness (0: unpaced, the harness's own gateway). */
  readonly joinsPerSecond: number
  readonly postmaster: number
  readonly ignoredDecoders: ReadonlySet<number>
  readonly loopProbeFile: string | undefined
  readonly fixture: Fixture
  readonly writer: TableWriter
  readonly progress: Progress
}

/**
 * One system's part of the run: its sockets joined once (the peer's to their restaurants' topics, after its SQL
 * is applied), its sweeps, then the sockets closed and the peer's SQL removed.
 */
export async function runSystem(
  system: System,
  context: SystemContext,
  options: CapacityOptions,
): Promise<SystemRun> {
  const { progress } = context
  if (system === 'peer') await context.probeSql.unsafe(readFileSync(PEER_SQL, 'utf8'))
  try {
    const specs = socketSpecs(context.fixture, options.sockets, system)
    progress.update(`capacity ${system}: joining ${specs.length} sockets`)
    const apikey = await signApiKey(context.jwtSecret, 'anon', Math.floor(Date.now() / 1000))
    const subscribers = await joinSubscribers(
      { system, url: context.gateway.url, apikey, sampleEvery: options.sampleEvery },
      specs,
      options.workers,
      context.joinsPerSecond,
    )
    progress.note(
      `  ${system}: ${specs.length} sockets joined in ${subscribers.joinSeconds} s (${subscribers.joinErrors} join errors)`,
    )
    try {
      const sweeps = await sweep(
        {
          system,
          specs,
          subscribers,
          writer: context.writer,
          restaurants: context.fixture.restaurants.length,
          probeSql: context.probeSql,
          gateway: context.gateway,
          postmaster: context.postmaster,
          ignoredDecoders: context.ignoredDecoders,
          loopProbeFile: context.loopProbeFile,
        },
        options,
        progress,
      )
      return { system, joinSeconds: subscribers.joinSeconds, joinErrors: subscribers.joinErrors, ...sweeps }
    } finally {
      subscribers.close()
    }
  } finally {
    if (system === 'peer') await removePeer(context.probeSql)
  }
}
