import { createClient } from '@supabase/supabase-js'
import { createPlaterClient, type PlaterClient } from 'plater-realtime'
import { PlaterProvider } from 'plater-realtime/react'
import { StrictMode, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { SignIn } from './SignIn.tsx'
import { Station } from './Station.tsx'

// `VITE_SUPABASE_URL=… VITE_SUPABASE_ANON_KEY=… npm run build` (or .env.local): the project the app talks to.
const supabaseUrl = import.meta.env.VITE_SUPABASE_URL ?? 'http://127.0.0.1:54321'
const anonKey = import.meta.env.VITE_SUPABASE_ANON_KEY
if (!anonKey) throw new Error('set VITE_SUPABASE_ANON_KEY (`npx plater status` prints it)')

// The app signs in with supabase-js; the Plater client shares its socket, so the page holds one connection.
const supabase = createClient(supabaseUrl, anonKey)
const accessToken = async () => (await supabase.auth.getSession()).data.session?.access_token ?? null

function App() {
  const [plater, setPlater] = useState<PlaterClient | null>(null)
  if (!plater) {
    return (
      <SignIn
        signIn={async (email, password) => {
          const { error } = await supabase.auth.signInWithPassword({ email, password })
          if (error) throw error
          setPlater(createPlaterClient({ supabaseUrl, anonKey, accessToken, realtime: supabase }))
        }}
      />
    )
  }
  return (
    <PlaterProvider client={plater}>
      <Station />
    </PlaterProvider>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
