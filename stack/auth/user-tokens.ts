import { createHash, createPrivateKey, type KeyObject, randomBytes } from 'node:crypto'
import { type JWTPayload, SignJWT } from 'jose'
import { ACCESS_TOKEN_TTL_SECONDS } from '../api-keys.ts'
import type { SigningJwk } from '../install-secrets.ts'

/** Where the auth is mounted; `iss` is `<API URL>` + this, like GoTrue's. */
export const AUTH_ISSUER_PATH = '/auth/v1'

export interface AccessClaims extends JWTPayload {
  sub: string
  role: string
  email?: string
  session_id?: string
}

export interface TokenUser {
  id: string
  email: string | null
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
}

/**
 * Signs the stack's access tokens as Supabase Auth does with asymmetric signing keys: ES256 with the install's
 * signing key, its `kid` in the header (the JWKS at /auth/v1/.well-known/jwks.json lists the public key), GoTrue's
 * claim set.
 */
export class TokenSigner {
  readonly #key: KeyObject
  readonly #kid: string

  constructor(
    signingKey: SigningJwk,
    /** `iss`, like GoTrue's `<API URL>/auth/v1`. */
    readonly issuer: string,
    readonly ttlSeconds = ACCESS_TOKEN_TTL_SECONDS,
  ) {
    this.#key = createPrivateKey({ key: signingKey, format: 'jwk' })
    this.#kid = signingKey.kid
  }

  /** Without a session (`plater token`) the token has no `session_id`, so signing out cannot end it. */
  async accessToken(
    user: TokenUser,
    sessionId?: string,
    now = Date.now(),
  ): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(now / 1000)
    const expiresAt = iat + this.ttlSeconds
    const token = await new SignJWT({
      email: user.email ?? '',
      phone: '',
      app_metadata: user.app_metadata,
      user_metadata: user.user_metadata,
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: iat }],
      ...(sessionId === undefined ? {} : { session_id: sessionId }),
      is_anonymous: false,
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.#kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(user.id)
      .setAudience('authenticated')
      .setIssuedAt(iat)
      .setExpirationTime(expiresAt)
      .sign(this.#key)
    return { token, expiresAt }
  }
}

/** An opaque refresh token and the hash it is stored under (the token itself is never stored). */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url')
  return { token, hash: hashRefreshToken(token) }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
