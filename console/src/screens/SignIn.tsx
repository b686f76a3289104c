import { type FormEvent, useState } from 'react'
import type { ConsoleConfig, DemoAccount } from '../app/config.ts'

const ROLE_LABEL: Record<DemoAccount['role'], string> = {
  manager: 'Manager',
  expo: 'Expo',
  cook: 'Cook',
  server: 'Server',
}

/**
 * Email and password; on a development stack also one button per seeded staff member. `signIn` answers the reason
 * a sign-in was refused, or null.
 */
export function SignIn({
  config,
  signIn: submit,
}: {
  config: ConsoleConfig
  signIn: (email: string, password: string) => Promise<string | null>
}) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function signIn(asEmail: string, asPassword: string) {
    setBusy(asEmail)
    setError(null)
    const failure = await submit(asEmail, asPassword)
    setBusy(null)
    if (failure) setError(failure)
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault()
    void signIn(email, password)
  }

  const byRestaurant = Map.groupBy(config.accounts, (account) => account.restaurant)

  return (
    <main className='sign-in'>
      <h1>Plater</h1>
      <form className='panel sign-in-form' onSubmit={onSubmit} aria-label='Sign in'>
        <Field label='Email' type='email' autoComplete='username' value={email} onChange={setEmail} />
        <Field
          label='Password'
          type='password'
          autoComplete='current-password'
          value={password}
          onChange={setPassword}
        />
        <button type='submit' className='primary' disabled={busy !== null}>
          {busy === email ? 'Signing in…' : 'Sign in'}
        </button>
        <p role='alert' className='error-text'>
          {error ?? ''}
        </p>
      </form>

      {config.accounts.length > 0 && config.accountPassword && (
        <section className='demo-accounts' aria-labelledby='demo-accounts-title'>
          <h2 id='demo-accounts-title'>Development accounts</h2>
          <p className='muted'>
            Seeded staff, password <code>{config.accountPassword}</code>. Pick one to sign in.
          </p>
          {[...byRestaurant].map(([restaurant, accounts]) => (
            <div key={restaurant} className='demo-restaurant'>
              <h3>{restaurant}</h3>
              <ul>
                {accounts.map((account) => (
                  <li key={account.email}>
                    <button
                      type='button'
                      className='account'
                      disabled={busy !== null}
                      onClick={() => void signIn(account.email, config.accountPassword!)}
                      data-email={account.email}
                    >
                      <span className='account-name'>{account.displayName}</span>
                      <span className='account-role'>
                        {ROLE_LABEL[account.role]}
                        {account.station ? ` · ${account.station}` : ''}
                      </span>
                      <span className='account-email'>
                        {busy === account.email ? 'Signing in…' : account.email}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}
    </main>
  )
}

/** One required input of the sign-in form, with its label. */
function Field({ label, type, autoComplete, value, onChange }: {
  label: string
  type: 'email' | 'password'
  autoComplete: string
  value: string
  onChange: (value: string) => void
}) {
  return (
    <label>
      {label}
      <input
        type={type}
        autoComplete={autoComplete}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
      />
    </label>
  )
}
