import { type ReportField, signedText } from '../../../contract/presence.ts'
import type { CallFunction } from './functions.ts'

/**
 * What a console tracks in presence: its report's fields (plain presence fields, which the client library's
 * presence schema passes on), signed with a key pair made in this browser (the private half cannot be exported),
 * and the claim `POST /functions/v1/presence/claim` issued for that key and the signed-in user. The manager's
 * monitor has the server check both (functions/presence), so a name on the monitor is always the server's,
 * whatever other consoles write into presence.
 */
export type SignedPresence<R> = R & { claim: string; sig: string }

/** A report's signed fields (contract/presence.ts: the server rebuilds the same text from the fields it receives). */
export type SignableReport = { [F in ReportField]: unknown }

export interface PresenceSigner {
  sign<R extends SignableReport>(report: R): Promise<SignedPresence<R>>
}

/** A console reports (signs a new body) at least this often; the monitor counts on it to age out copies. */
export const REPORT_EVERY_MS = 15_000

/** A claim is asked for again this long before it expires (a console may stay open for a whole service). */
const RENEW_BEFORE_MS = 10 * 60_000

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(
    /=+$/,
    '',
  )
}

export function createPresenceSigner(call: CallFunction): PresenceSigner {
  const pair = crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
  let claim: Promise<{ claim: string; expires_at: number }> | null = null

  async function currentClaim(): Promise<string> {
    const held = claim ? await claim.catch(() => null) : null
    if (!held || held.expires_at - Date.now() < RENEW_BEFORE_MS) {
      claim = (async () => {
        const { x, y } = await crypto.subtle.exportKey('jwk', (await pair).publicKey)
        return call('presenceClaim', { key: { kty: 'EC', crv: 'P-256', x: x!, y: y! } })
      })()
    }
    return (await claim!).claim
  }

  return {
    async sign(report) {
      const [issued, { privateKey }] = await Promise.all([currentClaim(), pair])
      const text = new TextEncoder().encode(signedText(report))
      const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, text)
      return { ...report, claim: issued, sig: base64url(sig) }
    },
  }
}
