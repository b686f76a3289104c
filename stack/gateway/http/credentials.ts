import type { IncomingMessage } from 'node:http'
import { bearerToken } from '../../../shared/http/bearer.ts'

/**
 * The token of a REST call, where Realtime's AuthTenant plug looks: `Authorization: Bearer <jwt>` over the
 * `apikey` header, and (as realtime-js also sends it) the `apikey` query parameter.
 */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const apikey = req.headers.apikey
  return bearerToken(req.headers.authorization) ?? (Array.isArray(apikey) ? apikey[0] : apikey) ??
    url.searchParams.get('apikey')
}
