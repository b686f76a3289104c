import type { CallFunction } from './functions.ts';

/**
 * What a console tracks in presence: its report (a JSON string), signed with a key pair made in this browser
 * (the private half cannot be exported), and the claim `POST /functions/v1/presence/claim` issued for that key
 * and the signed-in user. The manager's monitor has the server check both (functions/presence), so a name on
 * the monitor is always the server's, whatever other consoles write into presence.
 */
export interface SignedPresence {
  v: 1;
  claim: string;
  body: string;
  sig: string;
}

export interface PresenceSigner {
  sign(report: Record<string, unknown>): Promise<SignedPresence>;
}

/** A console reports (signs a new body) at least this often; the monitor counts on it to age out copies. */
export const REPORT_EVERY_MS = 15_000;

/** A claim is asked for again this long before it expires (a console may stay open for a whole service). */
const RENEW_BEFORE_MS = 10 * 60_000;

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function createPresenceSigner(call: CallFunction): PresenceSigner {
  const pair = crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  let claim: Promise<{ claim: string; expires_at: number }> | null = null;

  async function currentClaim(): Promise<string> {
    const held = claim ? await claim.catch(() => null) : null;
    if (!held || held.expires_at - Date.now() < RENEW_BEFORE_MS) {
      claim = (async () => {
        const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', (await pair).publicKey);
        return (await call('presence/claim', { key: { kty, crv, x, y } })) as { claim: string; expires_at: number };
      })();
    }
    return (await claim!).claim;
  }

  return {
    async sign(report) {
      const body = JSON.stringify(report);
      const [issued, { privateKey }] = await Promise.all([currentClaim(), pair]);
      const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(body));
      return { v: 1, claim: issued, body, sig: base64url(sig) };
    },
  };
}
