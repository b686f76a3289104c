/**
 * The gateway verifies tokens with the one rule set (shared/auth/verify.ts): the same algorithms, `exp`,
 * `nbf`/`iat` leeway, roles and `sub` rule as the functions host and the functions. Its failure kinds map to
 * Realtime's join error codes (protocol/reasons.ts, JWT_JOIN_CODE) and its messages are Realtime's words.
 */
export {
  type Claims,
  expiredMessage,
  type TokenFailure as JwtFailure,
  type TokenResult as JwtResult,
  TokenVerifier as JwtVerifier,
} from '../../../shared/auth/verify.ts'
export { stackVerifier } from '../../auth/verify.ts'
