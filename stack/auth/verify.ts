import type { JSONWebKeySet } from 'jose'
import { TokenVerifier } from '../../shared/auth/verify.ts'

/**
 * The token verifier of the Node side of the stack (the realtime gateway, the functions host's `verify_jwt` gate,
 * the local auth): the one rule set (shared/auth/verify.ts, which the functions run too) over the stack's own keys.
 */

/** The stack's own key material, as StackConfig holds it (the JWKS, the legacy secret, the new API keys). */
export interface StackKeys {
  readonly jwtSecret: string
  readonly jwks?: JSONWebKeySet
  readonly publishableKey?: string
  readonly secretKey?: string
}

export function stackVerifier(keys: StackKeys): TokenVerifier {
  return new TokenVerifier({
    jwks: keys.jwks,
    jwtSecret: keys.jwtSecret,
    publishableKeys: keys.publishableKey ? [keys.publishableKey] : [],
    secretKeys: keys.secretKey ? [keys.secretKey] : [],
  })
}
