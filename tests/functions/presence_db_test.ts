// POST /presence/claim and /presence/verify against the real database: a console's identity is what the server
// verified (its token's user, the staff row as it is now), never what a client wrote into presence.
import assert from 'node:assert/strict'
import { call, closePoolsAfterwards, dbTest, STAFF, userToken } from './helpers.ts'
import { handler as presence } from '../../functions/presence/handler.ts'
import { signedText } from '@plater/contract/presence.ts'

/** A console: its key pair (as the browser makes it) and the claim the server issued for it. */
async function console_(user: string) {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const issued = await call(presence, 'POST', '/presence/claim', {
    token: await userToken(user),
    body: { key: { kty, crv, x, y } },
  })
  assert.equal(issued.status, 200, JSON.stringify(issued.body))
  return {
    claim: issued.body.claim as string,
    sign: (signed: ReturnType<typeof report>) => signWith(pair.privateKey, signedText(signed)),
  }
}

async function signWith(key: CryptoKey, body: string): Promise<string> {
  const sig = new Uint8Array(
    await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(body)),
  )
  return btoa(String.fromCharCode(...sig)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const report = (status = 'live') => ({
  screen: '/kds/grill',
  status,
  p95: 12.5,
  pending: 0,
  rollbacks: 0,
  reconnects: 1,
  at: Date.now(),
})

async function verify(entries: unknown[], user: string = STAFF.manager) {
  return await call(presence, 'POST', '/presence/verify', { token: await userToken(user), body: { entries } })
}

dbTest('presence: a signed report names its console by the staff row of the verified user', async () => {
  const cook = await console_(STAFF.grill)
  const said = report()
  const answer = await verify([{ claim: cook.claim, report: said, sig: await cook.sign(said) }])
  assert.equal(answer.status, 200)
  assert.deepEqual(answer.body.entries, [{
    ok: true,
    user_id: STAFF.grill,
    display_name: 'Gus (grill)',
    role: 'cook',
    station_id: '00000000-0000-4000-8000-00000000b0a1',
    report: said,
  }])
})

dbTest(
  "presence: a cook cannot pass as the manager, with the manager's claim or with a forged one",
  async () => {
    const manager = await console_(STAFF.manager)
    const cook = await console_(STAFF.grill)
    const said = report()
    // the manager's claim (copied from presence) over a report the cook signed with their own key
    const [copied] =
      (await verify([{ claim: manager.claim, report: said, sig: await cook.sign(said) }])).body.entries
    assert.deepEqual(copied, { ok: false, reason: 'bad_signature' })
    // the cook's claim with the manager's user id written into it
    const [payload, mac] = cook.claim.split('.') as [string, string]
    const decoded = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')))
    const forged = btoa(JSON.stringify({ ...decoded, sub: STAFF.manager })).replace(/\+/g, '-').replace(
      /\//g,
      '_',
    ).replace(/=+$/, '')
    const [rewritten] =
      (await verify([{ claim: `${forged}.${mac}`, report: said, sig: await cook.sign(said) }])).body.entries
    assert.deepEqual(rewritten, { ok: false, reason: 'bad_claim' })
  },
)

dbTest(
  'presence: garbage or a changed report is refused entry by entry, the rest still verified',
  async () => {
    const cook = await console_(STAFF.grill)
    const good = report()
    const sig = await cook.sign(good)
    const answer = await verify([
      { claim: 'not-a-claim', report: good, sig: 'x' },
      { claim: cook.claim, report: { name: { a: 1 }, role: 5 }, sig },
      { claim: cook.claim, report: { ...good, screen: '/elsewhere' }, sig },
      { claim: cook.claim, report: good, sig },
    ])
    assert.equal(answer.status, 200)
    assert.deepEqual(
      answer.body.entries.map((entry: { ok: boolean; reason?: string }) => entry.reason ?? 'ok'),
      ['malformed', 'malformed', 'bad_signature', 'ok'],
    )
  },
)

dbTest("presence: another restaurant's console is not this manager's to name", async () => {
  const elsewhere = await console_(STAFF.dinerManager)
  const said = report()
  const [entry] =
    (await verify([{ claim: elsewhere.claim, report: said, sig: await elsewhere.sign(said) }])).body.entries
  assert.deepEqual(entry, { ok: false, reason: 'other_restaurant' })
})

dbTest('presence: only managers verify; a claim needs a P-256 public key', async () => {
  const answer = await verify([], STAFF.grill)
  assert.equal(answer.status, 403)
  assert.equal(answer.body.code, 'forbidden')
  const noKey = await call(presence, 'POST', '/presence/claim', {
    token: await userToken(STAFF.grill),
    body: { key: { kty: 'oct', k: 'x' } },
  })
  assert.equal(noKey.status, 400)
  assert.equal(noKey.body.code, 'invalid_request')
})

// no owner connection of its own: nothing but the functions' pool to close
closePoolsAfterwards('presence', { end: async () => {} })
