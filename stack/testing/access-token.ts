import { SignJWT } from 'jose'
import { ACCESS_TOKEN_TTL_SECONDS, secretKey, TOKEN_ISSUER } from '../api-keys.ts'

export interface TokenSubject {
  id: string
  email: string
}

/**
 * A legacy user access token: HS256 with the JWT secret, as Supabase Auth signed before asymmetric signing keys
 * (the local auth now signs ES256, stack/auth/user-tokens.ts). Still accepted wherever the secret is configured, so
 * tests and load scripts mint tokens with it without a sign-in.
 */
export function signAccessToken(jwtSecret: string, user: TokenSubject, now = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000)
  return new SignJWT({ role: 'authenticated', email: user.email })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setSubject(user.id)
    .setAudience('authenticated')
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
    .sign(secretKey(jwtSecret))
}
