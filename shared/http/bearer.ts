// The credential of `Authorization: Bearer <token>`, read one way by every service (RFC 6750: the scheme is
// case-insensitive; one token, no spaces inside it).
const BEARER = /^Bearer\s+(\S+)\s*$/i

/** The token of an Authorization header value; undefined when there is none or it is not a bearer token. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return authorization ? BEARER.exec(authorization)?.[1] : undefined
}
