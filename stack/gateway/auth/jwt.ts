/**
 * The gateway verifies tokens with the one rule set (shared/auth/verify.ts): the same algorithms, `exp`,
 * `nbf`/`iat` leeway, roles and `sub` rule as the functions host and the functions. Its failure kinds map to
 * Realtime's join error codes (protocol/reasons.ts, JWT_JOIN_CODE) and its messages are Realtime's words.
 * Behind the verified-token cache: a socket joins its topics with one token, and after a gap in the database
 * stream every channel joins again at once; each token costs one signature check, not one per join.
 */
export {
  type Claims,
  expiredMessage,
  type TokenFailure as JwtFailure,
  type TokenResult as JwtResult,
  type Verifier as JwtVerifier,
} from '../../../shared/auth/verify.ts'
export { VerifiedTokenCache } from '../../../shared/auth/verified-cache.ts'
export { stackVerifier } from '../../auth/verify.ts'
