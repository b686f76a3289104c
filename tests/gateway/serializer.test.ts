import { describe, expect, it } from 'vitest'
import { serializerFor } from '../../stack/gateway/protocol/versions.ts'
import { type Inbound, ProtocolError, type UserBroadcast } from '../../stack/gateway/protocol/frames.ts'
import { clientDecode, clientEncode } from '../../stack/testing/index.ts'
import { type FixtureEntry, fixtures, frameBytes, isWireFrame } from './helpers/fixtures.ts'

// The codecs are the one hand-written protocol layer: every client frame the official client produced
// must decode, and every server frame must be what the official client decodes into the right callback.

const VSNS = ['1.0.0', '2.0.0'] as const

function serializer(vsn: string) {
  const s = serializerFor(vsn)
  if (!s) throw new Error(`no serializer for ${vsn}`)
  return s
}

function wireEntries(vsn: (typeof VSNS)[number], direction: FixtureEntry['direction']) {
  return fixtures.sessions[vsn].filter(
    (e): e is FixtureEntry & { frame: string | { hex: string } } =>
      e.direction === direction && isWireFrame(e.frame),
  )
}

describe.each(VSNS)('vsn %s decodes every frame the official client sent', (vsn) => {
  const entries = wireEntries(vsn, 'client->server')

  it('has frames to check', () => {
    expect(entries.length).toBeGreaterThan(20)
  })

  it.each(entries.map((e, i) => [i, e.step, e] as const))('frame %i (%s)', (_i, _step, entry) => {
    const { data, binary } = frameBytes(entry.frame)
    const decoded = serializer(vsn).decode(data, binary)
    if (decoded.kind === 'broadcast') {
      const raw = typeof entry.frame === 'string' ? (JSON.parse(entry.frame) as unknown) : null
      expect(decoded.topic).toMatch(/^realtime:/)
      if (entry.decoded) {
        // Binary kind 3: compare with the capture server's field-by-field parse.
        expect(decoded.joinRef).toBe(entry.decoded.join_ref)
        expect(decoded.ref).toBe(entry.decoded.ref)
        expect(decoded.topic).toBe(entry.decoded.topic)
        expect(decoded.userEvent).toBe(entry.decoded.user_event)
        expect(payloadValue(decoded)).toEqual(entry.decoded.payload)
      } else {
        const frame = (Array.isArray(raw) ? raw[4] : (raw as { payload: unknown }).payload) as {
          event: string
          payload: unknown
        }
        expect(decoded.userEvent).toBe(frame.event)
        expect(payloadValue(decoded)).toEqual(frame.payload)
      }
    } else {
      const raw = JSON.parse(entry.frame as string) as unknown
      const [joinRef, ref, topic, event, payload] = Array.isArray(raw) ? raw : (() => {
        const o = raw as Record<string, unknown>
        return [o.join_ref ?? null, o.ref, o.topic, o.event, o.payload]
      })()
      expect(decoded).toEqual({ kind: 'message', joinRef, ref, topic, event, payload })
    }
  })
})

describe.each(VSNS)('vsn %s encodes server frames the way the fixtures show them', (vsn) => {
  const entries = wireEntries(vsn, 'server->client')

  it.each(entries.map((e, i) => [i, e.step, e] as const))('frame %i (%s)', (_i, _step, entry) => {
    const expected = JSON.parse(entry.frame as string) as unknown
    const message = Array.isArray(expected)
      ? {
        joinRef: expected[0],
        ref: expected[1],
        topic: expected[2],
        event: expected[3],
        payload: expected[4],
      }
      : (() => {
        const o = expected as Record<string, unknown>
        return { joinRef: null, ref: o.ref, topic: o.topic, event: o.event, payload: o.payload }
      })()
    const frame = serializer(vsn).encode(message as never)
    expect(frame.binary).toBe(false)
    const ours = JSON.parse(frame.data.toString('utf8')) as unknown
    expect(ours).toEqual(expected)
    if (vsn === '1.0.0') expect(ours).not.toHaveProperty('join_ref')
  })
})

describe('user broadcasts, checked against the official decoder', () => {
  const cases = fixtures.decoding.filter((c) => c.case.startsWith('a') || c.case.startsWith('b_'))

  it.each(cases.map((c) => [c.vsn, c.case, c] as const))('%s %s', (vsn, _name, c) => {
    const expected = c.client_callback_received[0]?.payload as {
      event: string
      payload: unknown
      meta?: unknown
    }
    const binaryPayload = (expected.payload as { $arraybuffer_hex?: string }).$arraybuffer_hex
    const broadcast: UserBroadcast = {
      topic: 'realtime:room-dec',
      event: expected.event,
      payload: binaryPayload === undefined
        ? { encoding: 'json', bytes: Buffer.from(JSON.stringify(expected.payload)) }
        : { encoding: 'binary', bytes: Buffer.from(binaryPayload, 'hex') },
      meta: expected.meta === undefined ? null : JSON.stringify(expected.meta),
    }
    const frame = serializer(vsn).encodeUserBroadcast(broadcast)
    if (!frame) throw new Error('expected a frame')
    if (typeof c.server_frame !== 'string') {
      // Kind 4: byte-for-byte what Supabase's V2Serializer produces.
      expect(frame.binary).toBe(true)
      expect(frame.data.toString('hex')).toBe(c.server_frame.hex)
    } else if (!frame.binary) {
      expect(JSON.parse(frame.data.toString('utf8'))).toEqual(JSON.parse(c.server_frame))
    } else {
      // vsn 2.0.0 sends user broadcasts as kind 4; the client must see what the text form gives it.
      const fromText = clientDecode(vsn, Buffer.from(c.server_frame), false)
      expect(clientDecode(vsn, frame.data, true)).toEqual(fromText)
    }
    const decoded = clientDecode(vsn, frame.data, frame.binary)
    expect(decoded.event).toBe('broadcast')
    const payload = decoded.payload as { payload: unknown }
    if (binaryPayload !== undefined) {
      expect(Buffer.from(payload.payload as ArrayBuffer).toString('hex')).toBe(binaryPayload)
    } else {
      expect(decoded.payload).toEqual(expected)
    }
  })

  it('vsn 2.0.0 always answers a JSON broadcast with kind 4, even for non-ASCII fields', () => {
    const frame = serializer('2.0.0').encodeUserBroadcast({
      topic: 'realtime:café',
      event: 'ordre-prêt',
      payload: { encoding: 'json', bytes: Buffer.from('{"plat":"crème brûlée"}') },
      meta: null,
    })
    expect(frame?.binary).toBe(true)
    const decoded = clientDecode('2.0.0', frame!.data, true)
    expect(decoded).toEqual({
      join_ref: null,
      ref: null,
      topic: 'realtime:café',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'ordre-prêt', payload: { plat: 'crème brûlée' } },
    })
  })

  it('vsn 2.0.0 falls back to a text frame when a field is longer than a uint8 size allows', () => {
    const topic = `realtime:${'t'.repeat(300)}`
    const frame = serializer('2.0.0').encodeUserBroadcast({
      topic,
      event: 'ev',
      payload: { encoding: 'json', bytes: Buffer.from('{"a":1}') },
      meta: '{"id":"x"}',
    })
    expect(frame?.binary).toBe(false)
    expect(clientDecode('2.0.0', frame!.data, false).payload).toEqual({
      type: 'broadcast',
      event: 'ev',
      payload: { a: 1 },
      meta: { id: 'x' },
    })
  })

  it('vsn 1.0.0 cannot carry binary payloads, so it yields no frame (as on Supabase)', () => {
    const frame = serializer('1.0.0').encodeUserBroadcast({
      topic: 'realtime:room',
      event: 'ev',
      payload: { encoding: 'binary', bytes: Buffer.from([1, 2, 3]) },
      meta: null,
    })
    expect(frame).toBeNull()
  })
})

describe('kind-3 frames produced by the official encoder', () => {
  it('round-trip JSON payloads, binary payloads and persist metadata', () => {
    const s = serializer('2.0.0')
    const json = clientEncode({
      join_ref: '6',
      ref: '7',
      topic: 'realtime:kds:r:s',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'bump', payload: { ticket: 'é' }, persist: true },
    })
    expect(json.binary).toBe(true)
    expect(s.decode(json.data, true)).toMatchObject({
      kind: 'broadcast',
      joinRef: '6',
      ref: '7',
      topic: 'realtime:kds:r:s',
      userEvent: 'bump',
    })
    const bytes = new Uint8Array([9, 8, 7]).buffer
    const bin = clientEncode({
      join_ref: '6',
      ref: '8',
      topic: 'realtime:x',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'b', payload: bytes },
    })
    const decoded = s.decode(bin.data, true)
    expect(decoded.kind === 'broadcast' && decoded.payload).toEqual({
      encoding: 'binary',
      bytes: Buffer.from([9, 8, 7]),
    })
  })
})

describe('malformed frames are rejected with ProtocolError, never anything else', () => {
  const bad: [string, string | Buffer, boolean][] = [
    ['not JSON', '{"topic":', false],
    ['a JSON scalar', '42', false],
    ['an array of the wrong length', '[null,"1","t","e"]', false],
    ['a numeric topic', '[null,"1",5,"e",{}]', false],
    ['a numeric ref', '[null,1,"t","e",{}]', false],
    ['a broadcast without event', '[null,"1","realtime:t","broadcast",{"payload":{}}]', false],
    ['an empty binary frame', Buffer.alloc(0), true],
    ['an unknown binary kind', Buffer.from([0, 1, 1, 1, 0, 0]), true],
    ['a truncated kind-3 header', Buffer.from([3, 1, 1]), true],
    ['kind-3 sizes past the end', Buffer.from([3, 9, 9, 9, 9, 0, 1, 0x41]), true],
    ['kind-3 with an unknown encoding', Buffer.from([3, 0, 0, 0, 0, 0, 7]), true],
    [
      'kind-3 with a JSON payload that does not parse',
      Buffer.from([3, 0, 0, 1, 1, 0, 1, 0x74, 0x65, 0x7b]),
      true,
    ],
  ]
  it.each(bad)('vsn 2.0.0: %s', (_name, data, binary) => {
    expect(() => serializer('2.0.0').decode(Buffer.from(data), binary)).toThrow(ProtocolError)
  })
  it('vsn 1.0.0: a binary frame', () => {
    expect(() => serializer('1.0.0').decode(Buffer.from([4]), true)).toThrow(ProtocolError)
  })
  it('vsn 1.0.0: an array frame', () => {
    expect(() => serializer('1.0.0').decode(Buffer.from('[null,"1","t","e",{}]'), false)).toThrow(
      ProtocolError,
    )
  })
})

function payloadValue(decoded: Inbound): unknown {
  if (decoded.kind !== 'broadcast') return undefined
  return decoded.payload.encoding === 'json'
    ? JSON.parse(decoded.payload.bytes.toString('utf8'))
    : { hex: decoded.payload.bytes.toString('hex') }
}
