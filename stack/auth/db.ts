import postgres, { type Sql } from 'postgres'
import type { Logger } from '../log.ts'

/** How long the local auth waits for its database (docs/architecture.md, "Limits"). */
export const AUTH_DB_LIMITS = {
  /** Opening a connection (postgres.js `connect_timeout`, seconds). */
  connectSeconds: 3,
  /** Server-side limit on each statement (`statement_timeout`). */
  statementMs: 4_000,
  /** Client-side limit on a request's database work, whatever the server or the network does. */
  requestMs: 5_000,
} as const

/** The database cannot serve the request now: answered 503 + Retry-After, never 500 and never a hang. */
export class AuthDbUnavailable extends Error {
  override name = 'AuthDbUnavailable'
}

// SQLSTATEs of a database that is going away, starting, full or too slow (besides class 08, connection exception).
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '3D000'])

/** A failure of the connection rather than of the statement: a database that is down, stalled or restarting. */
function isConnectionFailure(error: unknown): boolean {
  const code = String((error as { code?: unknown } | null)?.code ?? '')
  if (error instanceof postgres.PostgresError) return code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code)
  // Node's socket errors (ECONNREFUSED, ECONNRESET, …) and postgres.js's own (CONNECT_TIMEOUT, CONNECTION_CLOSED, …)
  return /^(E[A-Z]+|CONNECT_TIMEOUT|CONNECTION_[A-Z_]+)$/.test(code)
}

/**
 * The auth's connection pool, with every use bounded: a request's database work either finishes within
 * `requestMs` or fails with AuthDbUnavailable, as does any connection-level failure. Past the limit the pool is
 * replaced, so later requests do not queue behind connections a frozen server will never answer.
 */
export class AuthDb {
  #sql: Sql

  constructor(
    private readonly dbUrl: string,
    private readonly log: Logger,
    private readonly limits: typeof AUTH_DB_LIMITS = AUTH_DB_LIMITS,
  ) {
    this.#sql = this.#open()
  }

  #open(): Sql {
    return postgres(this.dbUrl, {
      max: 4,
      idle_timeout: 60,
      connect_timeout: this.limits.connectSeconds,
      onnotice: () => {},
      connection: {
        application_name: 'plater-auth',
        statement_timeout: String(this.limits.statementMs),
      } as Record<string, string>,
    })
  }

  async run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const running = work(this.#sql)
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.log.warn(
          `the database did not answer within ${this.limits.requestMs} ms; opening new connections`,
        )
        this.#replace()
        reject(new AuthDbUnavailable(`the database did not answer within ${this.limits.requestMs} ms`))
      }, this.limits.requestMs)
    })
    try {
      return await Promise.race([running, expired])
    } catch (error) {
      running.catch(() => {}) // settles after we gave up on it: nobody is waiting any more
      if (error instanceof AuthDbUnavailable) throw error
      if (isConnectionFailure(error)) {
        const code = String((error as { code?: unknown }).code)
        throw new AuthDbUnavailable(`the database is unavailable (${code})`, { cause: error })
      }
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  #replace(): void {
    const stuck = this.#sql
    this.#sql = this.#open()
    stuck.end({ timeout: 0 }).catch(() => {})
  }

  end(): Promise<void> {
    return this.#sql.end({ timeout: 5 })
  }
}
