import { afterEach, describe, expect, it } from 'vitest'
import { RawSocket } from './helpers/raw-socket.ts'
import { testStack } from './helpers/stack.ts'

// Frame-level behaviour the official client relies on, and the frames it never sends: the gateway must
// answer the first exactly as Realtime does and survive the second.

const sockets: RawSocket[] = []

async function open(vsn: '1.0.0' | '2.0.0' = '2.0.0'): Promise<RawSocket> {
  const { apiUrl, anonKey } = testStack()
  const socket = await RawSocket.open(apiUrl, anonKey, vsn)
  sockets.push(socket)
  return socket
}

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close()
})

const JOIN_CONFIG = {
  config: {
    broadcast: { ack: false, self: false },
    presence: { key: '', enabled: false },
    postgres_changes: [],
    private: false,
  },
}

describe.each(['2.0.0', '1.0.0'] as const)('vsn %s', (vsn) => {
  it('answers heartbeats, joins with postgres_changes: [], and leaves with ok then phx_close', async () => {
    const s = await open(vsn)
    s.push(null, '1', 'phoenix', 'heartbeat', {})
    expect(await s.reply('1')).toMatchObject({ topic: 'phoenix', payload: { status: 'ok', response: {} } })

    s.push('2', '2', 'realtime:gw-proto', 'phx_join', JOIN_CONFIG)
    expect((await s.reply('2')).payload).toEqual({ status: 'ok', response: { postgres_changes: [] } })

    s.push('2', '3', 'realtime:gw-proto', 'phx_leave', {})
    expect((await s.reply('3')).payload).toEqual({ status: 'ok', response: {} })
    const close = await s.next((m) => m.event === 'phx_close')
    expect(close).toMatchObject({ topic: 'realtime:gw-proto', ref: '2', payload: {} })
  })

  it('answers events on a topic that was never joined with "unmatched topic"; a leave there gets ok', async () => {
    const s = await open(vsn)
    s.push(null, '1', 'realtime:nowhere', 'presence', { type: 'presence', event: 'track', payload: {} })
    expect((await s.reply('1')).payload).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
    s.push(null, '2', 'realtime:nowhere', 'phx_leave', {})
    expect((await s.reply('2')).payload).toEqual({ status: 'ok', response: {} })
    s.push('3', '3', 'not-realtime', 'phx_join', {})
    expect((await s.reply('3')).payload).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
  })
})

describe('join config', () => {
  it('echoes postgres_changes with ids and reports them unsupported with a postgres_changes system message', async () => {
    const s = await open()
    const changes = [{ event: '*', schema: 'public', table: 'orders' }]
    s.push('1', '1', 'realtime:gw-pg', 'phx_join', {
      config: { ...JOIN_CONFIG.config, postgres_changes: changes },
    })
    const reply = await s.reply('1')
    expect(reply.payload).toEqual({
      status: 'ok',
      response: { postgres_changes: [{ ...changes[0], id: expect.any(Number) }] },
    })
    const system = await s.next((m) => m.event === 'system')
    expect(system.payload).toMatchObject({ extension: 'postgres_changes', status: 'error', channel: 'gw-pg' })
    expect(system.payload.message).toMatch(/^RealtimeDisabledForConfiguration: /)
  })

  it('closes the previous channel on a duplicate join of the same topic', async () => {
    const s = await open()
    s.push('1', '1', 'realtime:gw-dup', 'phx_join', JOIN_CONFIG)
    await s.reply('1')
    s.push('2', '2', 'realtime:gw-dup', 'phx_join', JOIN_CONFIG)
    expect(await s.next((m) => m.event === 'phx_close')).toMatchObject({ ref: '1' })
    expect((await s.reply('2')).payload).toMatchObject({ status: 'ok' })
  })

  it('refuses the bare "realtime:" topic with TopicNameRequired', async () => {
    const s = await open()
    s.push('1', '1', 'realtime:', 'phx_join', JOIN_CONFIG)
    expect((await s.next((m) => m.ref === '1', 15_000)).payload).toEqual({
      status: 'error',
      response: { reason: 'TopicNameRequired: You must provide a topic name' },
    })
  })
})

describe('bad frames', () => {
  it('drops malformed frames, keeps the socket and the gateway serving', async () => {
    const s = await open()
    s.sendRaw('{"not":"an array"')
    s.sendRaw('[1,2,3]')
    s.sendRaw(Buffer.from([0x09, 0xff, 0x00]), true)
    s.sendRaw(Buffer.from([0x03, 0x05, 0x05, 0x05]), true)
    s.push(null, '9', 'phoenix', 'heartbeat', {})
    expect((await s.reply('9')).payload).toEqual({ status: 'ok', response: {} })
    const other = await open('1.0.0')
    other.push(null, '1', 'phoenix', 'heartbeat', {})
    expect((await other.reply('1')).payload).toMatchObject({ status: 'ok' })
    const metrics = (await (await fetch(`${testStack().apiUrl}/realtime/v1/metrics`, {
      headers: { apikey: testStack().secretKey },
    })).json()) as {
      drops: { malformedFrames: number }
    }
    expect(metrics.drops.malformedFrames).toBeGreaterThanOrEqual(4)
  })

  it('answers an acked broadcast over the payload limit with payload_size_exceeded', async () => {
    const s = await open('1.0.0')
    s.push('1', '1', 'realtime:gw-big', 'phx_join', {
      config: { ...JOIN_CONFIG.config, broadcast: { ack: true } },
    })
    await s.reply('1')
    const big = 'x'.repeat(3_200_000)
    s.push('1', '2', 'realtime:gw-big', 'broadcast', { type: 'broadcast', event: 'big', payload: { big } })
    expect((await s.reply('2')).payload).toEqual({
      status: 'error',
      response: { error: 'payload_size_exceeded' },
    })
  })

  it('closes only the offending socket (1009) for a frame over the 5 MB limit', async () => {
    const s = await open()
    const bystander = await open()
    s.sendRaw(Buffer.alloc(5_100_000, 0x61))
    expect((await s.closed).code).toBe(1009)
    bystander.push(null, '1', 'phoenix', 'heartbeat', {})
    expect((await bystander.reply('1')).payload).toMatchObject({ status: 'ok' })
  })
})
