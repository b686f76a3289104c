import { resolveConfig } from '../config.ts'
import { withDb } from '../db-connection.ts'
import { AUTH_ISSUER_PATH, TokenSigner } from '../auth/user-tokens.ts'
import { runningDbUrl } from './running-db.ts'

/**
 * `plater token --email <email>`: prints an access token for a staff member, signed like the local auth signs
 * (ES256, the stack's signing key) — what signing in would return, without the password round trip or a session. Only users with a `staff` row qualify: a token
 * for anyone else would be rejected by every RPC anyway.
 */
export async function tokenCommand(email: string): Promise<number> {
  const config = await resolveConfig()
  const dbUrl = runningDbUrl(config)
  if (dbUrl === undefined) return 1

  const user = await withDb(dbUrl, 'token', async (sql) => {
    const [row] = await sql<{ id: string; email: string }[]>`
      select u.id, u.email
      from auth.users u
      where lower(u.email) = lower(${email})
        and exists (select from public.staff s where s.user_id = u.id)`
    return row
  })
  if (!user) {
    console.error(`plater: no staff member with email ${email} (the seeded accounts are listed in README.md)`)
    return 1
  }
  const signer = new TokenSigner(config.signingKey, `${config.apiUrl}${AUTH_ISSUER_PATH}`)
  console.log(
    (await signer.accessToken({
      ...user,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
    })).token,
  )
  return 0
}
