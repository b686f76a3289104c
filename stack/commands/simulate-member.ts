// One simulated staff member as a person at a screen: signed in through the stack's auth with supabase-js,
// running the project's client (`plater-realtime`) on that session's socket with their screens open, and acting
// only through the client's mutations (its routes, Idempotency-Keys, retries and expected versions).
import { setTimeout as sleep } from 'node:timers/promises'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { createPlaterClient, type PlaterClient, type ScopeHandle, type ScopeKey } from 'plater-realtime'
import WebSocket from 'ws'
import type { StaffRow } from './simulate-crew.ts'
import type { SessionShelf } from './simulate-sessions.ts'

/** When the auth does not say: one sign-in refills every 10 s at its default budget (30 per 5 minutes). */
const SIGN_IN_RETRY_SECONDS = 10

export interface StackAccess {
  apiUrl: string
  anonKey: string
  /** The password of accounts whose session is not kept on the shelf. */
  password: string
  shelf: SessionShelf
}

export class Member {
  private constructor(
    readonly row: StaffRow,
    readonly plater: PlaterClient,
    private readonly screens: ScopeHandle<unknown>[],
    private readonly supabase: SupabaseClient,
  ) {}

  /** Signed in (or their kept session refreshed), with `screens` open and live. */
  static async join(stack: StackAccess, row: StaffRow, screens: ScopeKey[]): Promise<Member> {
    const retryAfter = new RetryAfter()
    const supabase = createClient(stack.apiUrl, stack.anonKey, {
      realtime: { transport: WebSocket as never },
      auth: { persistSession: false, autoRefreshToken: true },
      global: { fetch: retryAfter.fetch },
    })
    await signIn(supabase, stack, row, retryAfter)
    const plater = createPlaterClient({
      supabaseUrl: stack.apiUrl,
      anonKey: stack.anonKey,
      realtime: supabase,
      storage: null, // a simulated person's unanswered changes die with the run
      accessToken: async () => (await supabase.auth.getSession()).data.session?.access_token ?? null,
    })
    const member = new Member(
      row,
      plater,
      screens.map((key) => plater.open(key) as ScopeHandle<unknown>),
      supabase,
    )
    try {
      await Promise.all(member.screens.map((screen) => screen.ready()))
    } catch (error) {
      await member.leave(stack.shelf)
      throw new Error(`${row.email} could not open their screens: ${(error as Error).message}`)
    }
    return member
  }

  get name(): string {
    return this.row.display_name
  }

  /** Closes the client and the socket; the session goes back on the shelf for the next run (not signed out). */
  async leave(shelf: SessionShelf): Promise<void> {
    await this.plater.close()
    this.supabase.auth.stopAutoRefresh()
    const { data } = await this.supabase.auth.getSession()
    if (data.session) shelf.put(this.row.user_id, data.session.refresh_token)
    await this.supabase.removeAllChannels()
    this.supabase.realtime.disconnect()
  }
}

/** The kept session refreshed if it still holds, else a password sign-in, waiting out the auth's rate limit. */
async function signIn(
  supabase: SupabaseClient,
  stack: StackAccess,
  row: StaffRow,
  retryAfter: RetryAfter,
): Promise<void> {
  const kept = stack.shelf.take(row.user_id)
  if (kept && !(await supabase.auth.refreshSession({ refresh_token: kept })).error) return
  for (;;) {
    const { error } = await supabase.auth.signInWithPassword({ email: row.email, password: stack.password })
    if (!error) return
    if (error.status !== 429) throw new Error(`sign-in of ${row.email} failed: ${error.message}`)
    const seconds = retryAfter.seconds ?? SIGN_IN_RETRY_SECONDS
    console.log(`The stack's sign-in rate limit is reached; signing ${row.email} in again in ${seconds} s.`)
    await sleep(seconds * 1000)
  }
}

/** Notes the Retry-After of the auth's 429 answers (supabase-js reports the status, not the header). */
class RetryAfter {
  seconds: number | undefined

  readonly fetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init)
    const header = Number(response.headers.get('retry-after'))
    this.seconds = response.status === 429 && header > 0 ? header : undefined
    return response
  }
}
