/**
 * The gateway verifies tokens with the stack's one rule set (stack/auth/verify.ts): the same algorithms, `exp`,
 * `nbf`/`iat` leeway, roles and `sub` rule as the functions host and the functions. Its failure kinds map to
 * Realtime's join error codes (protocol/reasons.ts, JWT_JOIN_CODE) and its messages are Realtime's words.
 */
export {
  type Claims,
  expiredMessage,
  type TokenFailure as JwtFailure,
  type TokenResult as JwtResult,
  TokenVerifier as JwtVerifier,
  stackVerifier,
} from '../../auth/verify.ts';
