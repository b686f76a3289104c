import { describe, expect, it } from 'vitest'
import { ApiError, MutationError, NetworkError } from '../../../client/src/errors.ts'
import { describeRefusal, refusalReason } from '../../../console/src/ui/refusals.ts'

// The console's refusal words (console/src/ui/refusals.ts, from the contract's error table), with the errors the client really raises.
describe("a refusal in the console's words", () => {
  it("says the database's own reason where it wrote one for people", () => {
    const refused = new MutationError(
      'forbidden',
      'only a manager may cancel an order the kitchen has started',
      403,
    )
    expect(describeRefusal('cancel order for T1', refused)).toBe(
      'Rolled back — cancel order for T1: only a manager may cancel an order the kitchen has started (forbidden)',
    )
    expect(refusalReason(new ApiError('illegal_transition', 'cannot add items to a cancelled order', 422)))
      .toBe(
        'cannot add items to a cancelled order',
      )
  })

  it('puts words in place of a message written for machines', () => {
    expect(refusalReason(new MutationError('version_conflict', 'item 6f1c… is at version 4, not 3', 409)))
      .toBe(
        'someone else changed it first',
      )
    expect(refusalReason(new NetworkError('fetch failed'))).toBe('no connection to the kitchen server')
  })

  it("speaks the contract's error table: a code the console never listed itself has the table's words", () => {
    expect(refusalReason(new ApiError('missing_authorization', 'missing bearer token', 401))).toBe(
      'you are not signed in; sign in again',
    )
    expect(refusalReason(new ApiError('idempotency_key_in_flight', 'key 5d… is still running', 409))).toBe(
      'the kitchen server is busy; try again',
    )
  })

  it('falls back to the words when the database gave no reason, and to the message for a code it does not know', () => {
    expect(refusalReason(new MutationError('forbidden', '', 403))).toBe('your role may not do this')
    expect(refusalReason(new MutationError('payload_too_large', 'a JSON body over 256 KiB', 413))).toBe(
      'a JSON body over 256 KiB',
    )
    expect(describeRefusal('seat T2', new Error('boom'))).toBe('Rolled back — seat T2: boom')
  })
})
