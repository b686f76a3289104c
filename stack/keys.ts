import { SignJWT } from 'jose';

/** Issuer of every token the local stack signs. */
export const TOKEN_ISSUER = 'plater';

/** Lifetime of an access token, like Supabase Auth's default `jwt_expiry`. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

// Ten years: the API keys are static configuration, like Supabase's local demo keys.
const API_KEY_TTL_SECONDS = 10 * 365 * 24 * 3600;

export type ApiKeyRole = 'anon' | 'service_role';

function secretKey(jwtSecret: string): Uint8Array {
  return new TextEncoder().encode(jwtSecret);
}

/** The `anon` or `service_role` API key: an HS256 JWT with a fixed `iat`, so the same secret yields the same key. */
export function signApiKey(jwtSecret: string, role: ApiKeyRole, issuedAt: number): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + API_KEY_TTL_SECONDS)
    .sign(secretKey(jwtSecret));
}

export interface TokenSubject {
  id: string;
  email: string;
}

/**
 * A legacy user access token: HS256 with the JWT secret, as Supabase Auth signed before asymmetric signing keys
 * (the local auth now signs ES256, stack/auth/tokens.ts). Still accepted wherever the secret is configured, so
 * tests and load scripts mint tokens with it without a sign-in.
 */
export function signAccessToken(jwtSecret: string, user: TokenSubject, now = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: 'authenticated', email: user.email })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setSubject(user.id)
    .setAudience('authenticated')
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
    .sign(secretKey(jwtSecret));
}
