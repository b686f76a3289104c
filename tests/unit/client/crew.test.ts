import { afterEach, describe, expect, it } from 'vitest'
import { type Rig, rig } from './client-helpers.ts'
import { ME, RESTAURANT, settle } from './fakes.ts'
import { buildTopic } from '../../../contract/topics.ts'

let current: Rig | null = null
afterEach(async () => {
  await current?.plater.close()
  current = null
})

describe('the crew scope', () => {
  it('joins the crew topic with presence under the user id, lists members and keeps the latest broadcasts', async () => {
    current = rig()
    const { plater, link, clock } = current
    const crew = plater.open({ scope: 'crew' })
    await crew.track({ screen: '/kds' }) // before the join: said once joined
    await crew.ready()
    const topic = buildTopic({ kind: 'crew', restaurant: RESTAURANT })
    expect(link.presenceKeys.get(topic)).toBe(ME)
    expect(link.tracked.get(topic)).toEqual({ screen: '/kds' })
    link.presence(topic, {
      'u-b': [{ screen: '/expo', status: 'live' }],
      [ME]: [{ screen: '/kds', status: 'live' }],
    })
    for (let i = 0; i < 120; i++) link.send(topic, { type: 'notice', text: `n${i}` })
    await clock.advance(1000)
    const view = crew.getView()
    expect(view.members.map((m) => m.key)).toEqual(['u-b', ME])
    expect(view.messages).toHaveLength(100)
    expect(view.messages[0]!.payload).toEqual({ text: 'n20' })
    await crew.send('notice', { text: '86 salmon' })
    expect(link.sent).toEqual([{ topic, event: 'notice', payload: { text: '86 salmon' } }])
    crew.release()
    expect(link.leaves).toEqual([topic]) // no log to resume from: nothing kept
  })

  it('is refused like any scope the role may not read', async () => {
    current = rig()
    const { plater, link } = current
    link.autoJoin = false
    const crew = plater.open({ scope: 'crew' })
    await settle()
    link.status(buildTopic({ kind: 'crew', restaurant: RESTAURANT }), 'refused', 'Unauthorized: …')
    await expect(crew.ready()).rejects.toMatchObject({ code: 'forbidden' })
    expect(crew.status).toBe('error')
  })
})
