import { type FormEvent, useState } from 'react'

export function SignIn({ signIn }: { signIn: (email: string, password: string) => Promise<void> }) {
  const [error, setError] = useState<string | null>(null)
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    signIn(String(form.get('email')), String(form.get('password'))).catch((caught: Error) =>
      setError(caught.message)
    )
  }
  return (
    <form aria-label='Sign in' onSubmit={submit}>
      <label>
        Email <input name='email' type='email' autoComplete='username' required />
      </label>
      <label>
        Password <input name='password' type='password' autoComplete='current-password' required />
      </label>
      <button type='submit'>Sign in</button>
      {error && <p role='alert'>{error}</p>}
    </form>
  )
}
