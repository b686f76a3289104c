import { SignJWT } from 'jose'

/** Issuer of every token the local stack signs. */
export const TOKEN_ISSUER = 'plater'

/** Lifetime of an access token, like Supabase Auth's default `jwt_expiry`. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600

// Ten years: the API keys are static configuration, like Supabase's local demo keys.
const API_KEY_TTL_SECONDS = 10 * 365 * 24 * 3600

export type ApiKeyRole = 'anon' | 'service_role'

/** The legacy JWT secret as the HS256 key jose signs with. */
export function secretKey(jwtSecret: string): Uint8Array {
  return new TextEncoder().encode(jwtSecret)
}

/** The `anon` or `service_role` API key: an HS256 JWT with a fixed `iat`, so the same secret yields the same key. */
export function signApiKey(jwtSecret: string, role: ApiKeyRole, issuedAt: number): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + API_KEY_TTL_SECONDS)
    .sign(secretKey(jwtSecret))
}
