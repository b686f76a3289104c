// The credential of `Authorization: Bearer <token>`, read one way by every service (RFC 6750: the scheme is
// case-insensitive; one token, no spaces inside it).
import { HttpError } from '../../contract/errors.ts'

const BEARER = /^Bearer\s+(\S+)\s*$/i

/** The token of an Authorization header value; undefined when there is none or it is not a bearer token. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return authorization ? BEARER.exec(authorization)?.[1] : undefined
}

/** 401 for a header that is there but is not `Bearer <token>` (or, where a JWT is needed, carries an API key). */
export function invalidAuthorization(): HttpError {
  return new HttpError(401, 'invalid_authorization', 'the Authorization header must be "Bearer <jwt>"')
}

/** The bearer token of a header that must carry one: 401 `missing_authorization` / `invalid_authorization`. */
export function requireBearer(authorization: string | null | undefined): string {
  if (authorization === null || authorization === undefined) {
    throw new HttpError(401, 'missing_authorization', 'missing Authorization header')
  }
  const token = bearerToken(authorization)
  if (token === undefined) throw invalidAuthorization()
  return token
}
