import type { SupabaseClient } from '@supabase/supabase-js'
import { createContext, createElement, type ReactNode, useContext, useEffect, useState } from 'react'
import { createPlaterClient, type Menu, type PlaterClient, type Session } from 'plater-realtime'
import { PlaterProvider } from 'plater-realtime/react'
import type { ConsoleConfig } from './config.ts'

// The screens use the client's own React bindings; this module only adds what the console knows: one client
// per signed-in user, and the /session and /menu answers every screen reads.
export { useCrew, useMutation, useRealtimeHealth, useScopeState } from 'plater-realtime/react'

interface Bootstrap {
  session: Session
  menu: Menu['items']
}

const BootstrapContext = createContext<Bootstrap | null>(null)

export function useSession(): Session {
  const value = useContext(BootstrapContext)
  if (!value) throw new Error('useSession outside a signed-in console')
  return value.session
}

export function useMenu(): Menu['items'] {
  return useContext(BootstrapContext)?.menu ?? []
}

/**
 * Creates the client for the signed-in user (in an effect, so React's Strict Mode double mount closes the
 * first one), passes supabase-js's refreshed tokens on to its socket, and loads /session and /menu.
 */
export function LiveProvider({
  config,
  auth,
  children,
  fallback,
}: {
  config: ConsoleConfig
  auth: SupabaseClient
  children: ReactNode
  fallback: (state: { error: Error | null }) => ReactNode
}): ReactNode {
  const [client, setClient] = useState<PlaterClient | null>(null)
  const [bootstrap, setBootstrap] = useState<Bootstrap | null>(null)
  const [error, setError] = useState<Error | null>(null)

  useEffect(() => {
    const created = createPlaterClient({
      supabaseUrl: config.supabaseUrl,
      anonKey: config.anonKey,
      accessToken: async () => (await auth.auth.getSession()).data.session?.access_token ?? null,
    })
    const { data } = auth.auth.onAuthStateChange((event) => {
      if (event === 'TOKEN_REFRESHED') void created.refreshAuth()
    })
    let live = true
    Promise.all([created.session(), created.menu().catch(() => ({ items: [] }) as Pick<Menu, 'items'>)]).then(
      ([session, menu]) => {
        if (!live) return
        setClient(created)
        setBootstrap({ session, menu: menu.items })
      },
      (failure: Error) => live && setError(failure),
    )
    return () => {
      live = false
      data.subscription.unsubscribe()
      void created.close()
    }
  }, [config, auth])

  if (!client || !bootstrap) return fallback({ error })
  return createElement(
    PlaterProvider,
    { client },
    createElement(BootstrapContext.Provider, { value: bootstrap }, children),
  )
}

// The data's shapes, for screens that need no live data (and for their unit tests, which load no Vite config).
export type * from './types.ts'
