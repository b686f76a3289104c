import { expect, it } from 'vitest'
import { ManualClock } from './helpers/manual-clock.ts'
import { ownGateway } from './helpers/own-gateway.ts'

// Phoenix's websocket idle timeout, on the gateway's clock like every other time it decides by: a socket that sent
// nothing for idleTimeoutMs is closed, one that spoke within it stays. The clock moves only when the test moves it.

const IDLE_MS = 60_000
const clock = new ManualClock()
const server = ownGateway({ idleTimeoutMs: IDLE_MS, slotName: 'plater_realtime_idle_test' }, { clock })

it('closes a socket silent for the idle timeout on the gateway clock, and keeps one that spoke within it', async () => {
  const silent = await server.open()
  const talking = await server.open()
  let silentClosed = false
  void silent.closed.then(() => (silentClosed = true))

  clock.advance(IDLE_MS / 2)
  talking.push(null, 'hb1', 'phoenix', 'heartbeat', {})
  expect((await talking.reply('hb1')).payload.status).toBe('ok')
  expect(silentClosed).toBe(false)

  // 75 s after both opened: the silent socket has been idle 75 s, the other 45 s (the sweep runs every 15 s)
  clock.advance(IDLE_MS / 2 + 15_000)
  await silent.closed
  talking.push(null, 'hb2', 'phoenix', 'heartbeat', {})
  expect((await talking.reply('hb2')).payload.status).toBe('ok')
})
