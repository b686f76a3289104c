// deno-lint-ignore-file no-window -- browser code: `window` is the page's global (the rules are for Deno, which has none)
/** What the app needs to know that its build cannot: where Supabase is, its anon key, the demo accounts. */
export interface ConsoleConfig {
  supabaseUrl: string
  anonKey: string
  /** Development stacks list their seeded staff on the sign-in page. */
  accounts: DemoAccount[]
  accountPassword?: string
}

export interface DemoAccount {
  email: string
  displayName: string
  role: 'manager' | 'expo' | 'cook' | 'server'
  station: string | null
  restaurant: string
}

/**
 * Served by the local stack next to the app (`/console-config.json`). A deployment that hosts the build
 * elsewhere sets VITE_SUPABASE_URL and VITE_SUPABASE_ANON_KEY at build time instead, and lists no accounts.
 */
export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const env = import.meta.env
  if (env.VITE_SUPABASE_URL && env.VITE_SUPABASE_ANON_KEY) {
    return { supabaseUrl: env.VITE_SUPABASE_URL, anonKey: env.VITE_SUPABASE_ANON_KEY, accounts: [] }
  }
  const response = await fetch('/console-config.json', { cache: 'no-store' })
  if (!response.ok) throw new Error(`could not load /console-config.json (HTTP ${response.status})`)
  const body = (await response.json()) as Omit<ConsoleConfig, 'supabaseUrl'>
  return { supabaseUrl: window.location.origin, ...body }
}
