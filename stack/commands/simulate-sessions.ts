// Staff sessions kept between runs of `plater simulate`, so a restarted simulator refreshes its staff's sessions
// instead of signing them in again: the local auth, like Supabase's, allows 30 password sign-ins per IP per 5
// minutes (supabase/config.toml [auth.rate_limit] sign_in_sign_ups) — five restarts for a crew of six — and 150
// refreshes. Kept in the stack's data dir, next to its signing key and passwords, readable by its owner only.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * One refresh token per staff member. A run takes a member's token off the shelf (an atomic rename, so two
 * simulators of one restaurant never both refresh it: the auth would see the second refresh as a replay and
 * revoke the session) and puts its newest one back when it stops.
 */
export class SessionShelf {
  readonly #dir: string

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'simulate-sessions')
  }

  /** The member's refresh token, now this run's alone; undefined if none is kept (or another run holds it). */
  take(userId: string): string | undefined {
    const kept = this.#file(userId)
    const taken = `${kept}.${process.pid}`
    try {
      renameSync(kept, taken)
    } catch {
      return undefined
    }
    try {
      const { refresh_token } = JSON.parse(readFileSync(taken, 'utf8')) as { refresh_token?: unknown }
      return typeof refresh_token === 'string' ? refresh_token : undefined
    } catch {
      return undefined // unreadable: the member signs in again
    } finally {
      rmSync(taken, { force: true })
    }
  }

  put(userId: string, refreshToken: string): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    const file = this.#file(userId)
    const written = `${file}.${process.pid}.new`
    writeFileSync(written, JSON.stringify({ refresh_token: refreshToken }), { mode: 0o600 })
    renameSync(written, file)
  }

  #file(userId: string): string {
    if (!/^[0-9a-f-]+$/i.test(userId)) throw new Error(`not a user id: ${userId}`)
    return join(this.#dir, `${userId}.json`)
  }
}
