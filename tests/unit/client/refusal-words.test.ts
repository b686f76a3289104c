import { describe, expect, it } from 'vitest'
import { ERROR_CODES, type ErrorCode, refusalWords } from '../../../contract/errors.ts'
import { PlaterError } from '../../../client/src/errors.ts'
import { rig } from './client-helpers.ts'
import { settle, STATION } from './fakes.ts'

/** What `run` threw or rejected with. */
async function refusal(run: () => unknown): Promise<PlaterError> {
  try {
    await run()
  } catch (error) {
    return error as PlaterError
  }
  throw new Error('expected a refusal')
}

describe("the client's own refusals", () => {
  it("carry codes of the contract's error table, so a screen shows the table's words for them", async () => {
    const { plater, backend } = rig({ maxChannelsPerConnection: 1 })
    backend.offline = true
    const unanswered = plater.mutations.startItem({ itemId: 'a' })
    await settle()
    plater.open({ scope: 'kds', stationId: STATION })
    const refusals = [await refusal(() => plater.open({ scope: 'expo' }))]
    await plater.close()
    refusals.push(
      await refusal(() => unanswered),
      await refusal(() => plater.mutations.finishItem({ itemId: 'a' })),
    )
    expect(refusals.map((error) => error.code)).toEqual(['too_many_channels', 'client_closed', 'closed'])
    for (const error of refusals) {
      expect(error).toBeInstanceOf(PlaterError)
      expect(Object.keys(ERROR_CODES)).toContain(error.code)
      expect(refusalWords(error), error.code).toBe(ERROR_CODES[error.code as ErrorCode].words)
    }
  })
})
