import type { SupabaseClient } from '@supabase/supabase-js'
import { useEffect, useMemo, useState } from 'react'
import { ExpoScreen } from '../screens/expo/ExpoScreen.tsx'
import { KdsScreen } from '../screens/kds/KdsScreen.tsx'
import { MonitorScreen } from '../screens/monitor/MonitorScreen.tsx'
import { ServerScreen } from '../screens/server/ServerScreen.tsx'
import { SignIn } from '../screens/SignIn.tsx'
import { ConnectionBadge } from '../ui/ConnectionBadge.tsx'
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx'
import { ToastProvider } from '../ui/toasts.tsx'
import { createAuthClient, signIn, signOut, useAuthSession } from './auth.ts'
import { type ConsoleConfig, loadConsoleConfig } from './config.ts'
import { LiveProvider, useSession } from './live.ts'
import { FunctionsProvider } from './functions.ts'
import { CrewPresence } from './presence.ts'
import { navigate, usePath } from './router.ts'
import { ScreenMenu } from './ScreenMenu.tsx'
import { type Screen, screensFor } from './routes.ts'

export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    loadConsoleConfig().then(setConfig, (failure: Error) => setError(failure.message))
  }, [])
  if (error) return <p className='screen error-text'>{error}</p>
  if (!config) return <p className='screen muted'>Loading…</p>
  return (
    <ToastProvider>
      <Authenticated config={config} />
    </ToastProvider>
  )
}

function Authenticated({ config }: { config: ConsoleConfig }) {
  const auth = useMemo(() => createAuthClient(config), [config])
  const session = useAuthSession(auth)
  if (session === undefined) return <p className='screen muted'>Loading…</p>
  if (session === null) {
    return (
      <SignIn
        config={config}
        signIn={(email, password) => signIn(auth, email, password)}
      />
    )
  }
  return (
    <ErrorBoundary>
      <LiveProvider
        key={session.user.id}
        config={config}
        auth={auth}
        fallback={({ error }) =>
          error
            ? (
              <div className='screen panel' role='alert'>
                <h2>Could not open the console</h2>
                <p className='error-text'>{error.message}</p>
                <button type='button' onClick={() => void signOut(auth)}>
                  Sign out
                </button>
              </div>
            )
            : <p className='screen muted'>Connecting…</p>}
      >
        <Shell auth={auth} />
      </LiveProvider>
    </ErrorBoundary>
  )
}

function Shell({ auth }: { auth: SupabaseClient }) {
  const session = useSession()
  const screens = useMemo(() => screensFor(session), [session])
  const path = usePath()
  const current = screens.find((screen) => screen.path === path)

  useEffect(() => {
    if (!current && screens[0]) navigate(screens[0].path, { replace: true })
  }, [current, screens])

  return (
    <FunctionsProvider auth={auth}>
      <CrewPresence>
        <div className='shell'>
          <header className='topbar'>
            <ScreenMenu screens={screens} current={current} />
            <span className='restaurant'>{session.restaurant.name}</span>
            <ConnectionBadge />
            <span className='who'>
              {session.staff.display_name} · {session.staff.role}
            </span>
            <button type='button' className='sign-out' onClick={() => void signOut(auth)}>
              Sign out
            </button>
          </header>
          <main>
            {!current
              ? (
                <p className='screen muted'>
                  {screens.length === 0 ? 'Your role has no screens here.' : 'Opening…'}
                </p>
              )
              : (
                <ErrorBoundary key={current.path}>
                  <ScreenView screen={current} />
                </ErrorBoundary>
              )}
          </main>
        </div>
      </CrewPresence>
    </FunctionsProvider>
  )
}

function ScreenView({ screen }: { screen: Screen }) {
  switch (screen.kind) {
    case 'kds':
      return <KdsScreen key={screen.station.id} station={screen.station} />
    case 'expo':
      return <ExpoScreen />
    case 'server':
      return <ServerScreen />
    case 'monitor':
      return <MonitorScreen />
  }
}
