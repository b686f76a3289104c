import { setTimeout as sleep } from 'node:timers/promises'
import { RestartBackoff } from '../../shared/backoff.ts'
import { systemClock } from '../../shared/clock.ts'
import { RESTART_BACKOFF } from '../restart-backoff.ts'
import { type EmbeddedPostgres, type EmbeddedPostgresOptions, startEmbeddedPostgres } from './cluster.ts'

export interface SupervisedPostgres {
  /** The current server's pid (a new one after each restart). */
  readonly pid: number
  readonly port: number
  /** How many times the server was restarted after exiting on its own. */
  readonly restarts: number
  /** Resolves with the last error when restarting has failed RESTART_BACKOFF.maxFailedStarts times in a row. */
  readonly gaveUp: Promise<Error>
  stop(): Promise<void>
}

export interface SupervisorOptions extends EmbeddedPostgresOptions {
  /** After a restart (the new pid). */
  onRestart?(pid: number): void
  /** Awaited before each restart attempt: lets a test hold the database down while it looks at the stack. */
  beforeRestart?(): Promise<void>
}

/**
 * The stack's Postgres, restarted with backoff (every step logged) when it exits without being asked to — a
 * crash, a kill, an OOM — as a managed platform restarts a project's database. Clients reconnect on their own:
 * the functions' pools, the gateway's replication ingest (which resumes from its slot), health, auth.
 */
export async function superviseEmbeddedPostgres(options: SupervisorOptions): Promise<SupervisedPostgres> {
  const { log } = options
  let current: EmbeddedPostgres = await startEmbeddedPostgres(options)
  const backoff = new RestartBackoff(RESTART_BACKOFF, Math.random, systemClock)
  let stopping = false
  let restarts = 0
  let giveUp: (error: Error) => void = () => {}
  const gaveUp = new Promise<Error>((resolve) => (giveUp = resolve))

  const restart = async (how: string): Promise<void> => {
    backoff.stopped()
    for (;;) {
      const delay = backoff.next()
      log.error(
        `Postgres exited unexpectedly (${how}); restarting in ${delay} ms (attempt ${backoff.attempts}, see postgres.log)`,
      )
      await sleep(delay)
      await options.beforeRestart?.()
      if (stopping) return
      try {
        current = await startEmbeddedPostgres(options)
      } catch (error) {
        how = `restart failed: ${(error as Error).message.split('\n')[0]}`
        if (backoff.attempts >= RESTART_BACKOFF.maxFailedStarts) {
          log.error(
            `Postgres could not be restarted after ${RESTART_BACKOFF.maxFailedStarts} attempts; giving up`,
          )
          giveUp(error as Error)
          return
        }
        continue
      }
      backoff.started()
      restarts += 1
      log.info(`Postgres restarted (pid ${current.pid}); clients reconnect on their own`)
      options.onRestart?.(current.pid)
      watch(current)
      return
    }
  }
  const watch = (server: EmbeddedPostgres) => {
    void server.exited.then((how) => {
      if (!stopping && server === current) void restart(how)
    })
  }
  watch(current)

  return {
    get pid() {
      return current.pid
    },
    port: options.port,
    get restarts() {
      return restarts
    },
    gaveUp,
    async stop() {
      stopping = true
      await current.stop()
    },
  }
}
