// Presence claims: who a console is, as the server verified it, in a form the crew topic can carry.
//
// Presence on a Realtime channel is written by the clients: the key and the metas are whatever a client sends,
// on hosted Supabase as here, and every staff member of the restaurant may write to the crew topic. So a
// console proves who it is in two steps:
//   1. it makes a P-256 key pair (the private half never leaves the browser) and asks `POST /presence/claim`
//      for a claim: `<payload>.<mac>`, the payload naming the caller's user id and restaurant (from their
//      verified token) and the console's public key, MACed with a server-only secret;
//   2. every report it tracks is signed with that private key: `{…report, claim, sig}`.
// A copied claim is useless without the private key; a copied report is an exact duplicate (same signature),
// which the monitor shows once, and ages out as stale when the real console stops renewing it.
import { z } from '../_shared/deps.ts'
import { env } from '../_shared/env.ts'
import { consoleKey } from '@plater/contract/requests.ts'
import type { ConsoleKey } from '@plater/contract/routes.ts'

export const CLAIM_VERSION = 1
/** A console asks for a new claim when its key pair is lost (a reload) or this long has passed. */
export const CLAIM_TTL_SECONDS = 12 * 60 * 60

const ClaimPayload = z.object({
  v: z.literal(CLAIM_VERSION),
  sub: z.string(),
  restaurant: z.string(),
  key: consoleKey,
  exp: z.number().int(),
})
export type ClaimPayload = z.output<typeof ClaimPayload>

const encoder = new TextEncoder()

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  try {
    return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0))
  } catch {
    return null
  }
}

/**
 * The MAC key: PRESENCE_CLAIM_SECRET if set, else derived from a secret the platform already gives every
 * function (the service role key or the first secret API key), so a deployment needs no extra setting. Derived,
 * not used raw: a claim's MAC must never double as anything signed with that key.
 */
async function macKey(): Promise<CryptoKey> {
  const source = env('PRESENCE_CLAIM_SECRET') ?? env('SUPABASE_SERVICE_ROLE_KEY') ?? firstSecretKey() ??
    env('JWT_SECRET')
  if (source === undefined) {
    throw new Error('no secret to sign presence claims with (set PRESENCE_CLAIM_SECRET)')
  }
  const base = await crypto.subtle.importKey(
    'raw',
    encoder.encode(source),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const derived = await crypto.subtle.sign('HMAC', base, encoder.encode('plater presence claim v1'))
  return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

function firstSecretKey(): string | undefined {
  const keys = env('SUPABASE_SECRET_KEYS')
  if (keys === undefined) return undefined
  const parsed: unknown = JSON.parse(keys)
  const first = typeof parsed === 'object' && parsed !== null ? Object.values(parsed)[0] : undefined
  return typeof first === 'string' ? first : undefined
}

let key: Promise<CryptoKey> | null = null
const claimKey = () => (key ??= macKey())

/** For tests: forget the derived key (after changing the secret). */
export function resetClaimKeyForTests(): void {
  key = null
}

export async function issueClaim(payload: ClaimPayload): Promise<string> {
  const body = base64url(encoder.encode(JSON.stringify(payload)))
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await claimKey(), encoder.encode(body)))
  return `${body}.${base64url(mac)}`
}

export type Refusal = 'malformed' | 'bad_claim' | 'expired' | 'bad_signature'

/** The claim's payload if its MAC is ours and it has not expired. */
export async function openClaim(claim: string, nowSeconds: number): Promise<ClaimPayload | Refusal> {
  const [body, mac, extra] = claim.split('.')
  if (body === undefined || mac === undefined || extra !== undefined) return 'malformed'
  const macBytes = fromBase64url(mac)
  const bodyBytes = fromBase64url(body)
  if (!macBytes || !bodyBytes) return 'malformed'
  if (!(await crypto.subtle.verify('HMAC', await claimKey(), macBytes, encoder.encode(body)))) {
    return 'bad_claim'
  }
  let payload: unknown
  try {
    payload = JSON.parse(new TextDecoder().decode(bodyBytes))
  } catch {
    return 'malformed'
  }
  const parsed = ClaimPayload.safeParse(payload)
  if (!parsed.success) return 'malformed'
  return parsed.data.exp <= nowSeconds ? 'expired' : parsed.data
}

/** Whether `sig` (ECDSA P-256 / SHA-256, r‖s as Web Crypto makes it) signs `text` with the claim's key. */
export async function signedBy(key: ConsoleKey, text: string, sig: string): Promise<boolean> {
  const signature = fromBase64url(sig)
  if (!signature || signature.length !== 64) return false
  try {
    const publicKey = await crypto.subtle.importKey(
      'jwk',
      { ...key, ext: true },
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    )
    return await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      publicKey,
      signature,
      encoder.encode(text),
    )
  } catch {
    return false
  }
}
