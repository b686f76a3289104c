import type { Sql } from 'postgres'
import { openDb } from '../db-connection.ts'
import type { ApiRoute } from './route.ts'
import { sendJson } from './respond.ts'

/** How long `/health` waits for Postgres to answer `select 1` before it says `db: 'down'`. */
export const HEALTH_DB_TIMEOUT_MS = 1000

/** What the stack's supervisor knows about the API process (stack/api/supervisor.ts). */
export interface ApiRestarts {
  /** How many times the API process was restarted after it died. */
  restarts: number
  /** The latest of those restarts: when, and how the process before it ended. */
  lastRestart?: { at: string; reason: string }
}

export interface HealthOptions {
  timeoutMs?: number
  /** Absent when the API server runs unsupervised (a test's own server). */
  restarts?: ApiRestarts
}

/**
 * `GET /health`: the API answers `status: 'ok'` whenever it runs; `db` says whether Postgres answers a query
 * within HEALTH_DB_TIMEOUT_MS right now, so a script can wait for `db: 'up'`; `api` says how often the API process
 * was restarted. A stalled database (frozen, or a network that stopped delivering) is `down` as a dead one is:
 * the answer never waits longer than the bound.
 */
export function createHealthRoute(dbUrl: string, options: HealthOptions = {}): ApiRoute {
  const timeoutMs = options.timeoutMs ?? HEALTH_DB_TIMEOUT_MS
  // One lazily opened connection, released when idle so it never pins the database (e.g. during a reset).
  const open = () => openDb(dbUrl, 'health', { idleTimeout: 10, connectTimeout: 2 })
  let sql: Sql = open()
  // Concurrent requests share one probe, so a stall costs one connection, not one per caller.
  let probe: Promise<'up' | 'down'> | undefined

  function probeDb(): Promise<'up' | 'down'> {
    probe ??= new Promise<'up' | 'down'>((resolve) => {
      const pool = sql
      const timer = setTimeout(() => {
        // The connection is stuck on a server that does not answer: give it up, and the next probe connects anew.
        sql = open()
        void pool.end({ timeout: 0 })
        resolve('down')
      }, timeoutMs)
      pool`select 1`.then(
        () => resolve('up'),
        () => resolve('down'),
      ).finally(() => clearTimeout(timer))
    }).finally(() => (probe = undefined))
    return probe
  }

  return {
    prefix: '/health',
    async handleRequest(_req, res) {
      const db = await probeDb()
      sendJson(res, 200, { status: 'ok', db, ...(options.restarts && { api: options.restarts }) })
    },
    close: () => sql.end({ timeout: 2 }),
  }
}
