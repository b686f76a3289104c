import type { IncomingMessage } from 'node:http';
import type { TokenVerifier } from '../auth/verify.ts';

/**
 * Whether the request carries the project's secret key — `sb_secret_…` or the legacy service_role JWT, as
 * `Authorization: Bearer` or `apikey` — which operator endpoints (the gateway's metrics) require, as hosted
 * Realtime keeps its metrics behind a secret of its own. A browser never holds it.
 */
export async function hasSecretKey(req: IncomingMessage, verifier: TokenVerifier): Promise<boolean> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  const apikey = req.headers.apikey;
  const token = bearer ?? (Array.isArray(apikey) ? apikey[0] : apikey);
  if (!token) return false;
  const verified = await verifier.verify(token);
  return verified.ok && verified.claims.role === 'service_role';
}
