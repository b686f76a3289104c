import { createClient, type Session, type SupabaseClient } from '@supabase/supabase-js'
import { useEffect, useState } from 'react'
import type { ConsoleConfig } from './config.ts'

/** Supabase Auth for the console: sign-in with a password, a persisted session refreshed by supabase-js. */
export function createAuthClient(config: ConsoleConfig): SupabaseClient {
  return createClient(config.supabaseUrl, config.anonKey, {
    auth: {
      storageKey: 'plater-console-auth',
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: false,
    },
  })
}

/** Signs in with a password; the reason when Supabase Auth refuses (the session then arrives through `useAuthSession`). */
export async function signIn(auth: SupabaseClient, email: string, password: string): Promise<string | null> {
  const { error } = await auth.auth.signInWithPassword({ email, password })
  return error ? error.message : null
}

export async function signOut(auth: SupabaseClient): Promise<void> {
  await auth.auth.signOut()
}

/** The signed-in session; `undefined` while the stored one is being read. */
export function useAuthSession(auth: SupabaseClient): Session | null | undefined {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  useEffect(() => {
    let live = true
    void auth.auth.getSession().then(({ data }) => live && setSession(data.session))
    const { data } = auth.auth.onAuthStateChange((_event, next) => setSession(next))
    return () => {
      live = false
      data.subscription.unsubscribe()
    }
  }, [auth])
  return session
}
