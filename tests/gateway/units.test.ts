import { describe, expect, it } from 'vitest'
import { isMessagesRelation, messageFromRow } from '../../stack/gateway/ingest/message-row.ts'
import {
  decodePgOutput,
  decodeReplicationFrame,
  formatLsn,
  type Relation,
} from '../../stack/gateway/ingest/pgoutput.ts'
import { DeadlineExceeded, withDeadline } from '../../stack/gateway/deadline.ts'
import { KeyedRateWindows, PresenceCallLimiter, RateWindow } from '../../stack/gateway/limits.ts'
import { DEFAULT_OPTIONS, optionsFromEnv } from '../../stack/gateway/options.ts'
import { broadcastTenant, restaurantOf } from '../../stack/gateway/tenant.ts'
import { ConnectionCounts } from '../../stack/gateway/transport/connections.ts'
import { descriptorWarning } from '../../stack/gateway/transport/descriptors.ts'
import { TransactionReader } from '../../stack/gateway/ingest/transactions.ts'
import { PresenceState } from '../../stack/gateway/presence.ts'
import { parseJson } from '../../stack/gateway/protocol/inbound.ts'
import { jsonDepthExceeds } from '../../stack/gateway/protocol/json-depth.ts'
import { ThrottledWarning } from '../../stack/gateway/throttled-warning.ts'
import type { Logger } from '../../stack/log.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { parseJoinPayload } from '../../stack/gateway/protocol/join-payload.ts'

// The pure pieces behind the socket: each is small enough to pin down exactly.

describe('phx_join payload', () => {
  it("reads realtime-js's default join the way Realtime does", () => {
    expect(
      parseJoinPayload({
        config: {
          broadcast: { ack: false, self: false },
          presence: { key: '', enabled: false },
          postgres_changes: [],
          private: true,
        },
        access_token: 'jwt',
      }),
    ).toEqual({
      broadcastAck: false,
      broadcastSelf: false,
      replay: null,
      presenceEnabled: false,
      presenceKey: null,
      postgresChanges: [],
      postgresChangesWait: false,
      private: true,
      accessToken: 'jwt',
    })
  })

  it('accepts "true"/"false" strings, the legacy user_token, and defaults what does not parse', () => {
    const join = parseJoinPayload({
      config: { broadcast: { ack: 'true', self: 7 }, private: 'false', presence: { key: 42 } },
      user_token: 'legacy',
    })
    expect(join).toMatchObject({
      broadcastAck: true,
      broadcastSelf: false,
      private: false,
      presenceKey: '42',
    })
    expect(join.accessToken).toBe('legacy')
  })

  it('turns presence on without a presence config, as Join.presence_enabled?/1 does', () => {
    expect(parseJoinPayload({}).presenceEnabled).toBe(true)
    expect(parseJoinPayload({ config: {} }).presenceEnabled).toBe(true)
  })

  it('validates replay params like the Replay schema (limit 1..25, default 10)', () => {
    const replay = (value: unknown) => parseJoinPayload({ config: { broadcast: { replay: value } } }).replay
    expect(replay({ since: 5 })).toEqual({ since: 5, limit: 10 })
    expect(replay({ since: 5, limit: 26 })).toBe('invalid')
    expect(replay('soon')).toBe('invalid')
  })
})

describe('presence state', () => {
  const a = {}
  const b = {}

  it('diffs a first track as a join, an update as leave + join with phx_ref_prev, a repeat as nothing', () => {
    const state = new PresenceState()
    const joined = state.track(a, 'ana', { at: 'floor' })!
    const ref = joined.joins.ana!.metas[0]!.phx_ref
    expect(joined).toEqual({ joins: { ana: { metas: [{ at: 'floor', phx_ref: ref }] } }, leaves: {} })
    expect(state.track(a, 'ana', { at: 'floor' })).toBeNull()
    const moved = state.track(a, 'ana', { at: 'pass' })!
    expect(moved.leaves.ana!.metas[0]).toEqual({ at: 'floor', phx_ref: ref })
    expect(moved.joins.ana!.metas[0]).toMatchObject({ at: 'pass', phx_ref_prev: ref })
  })

  it('groups metas by key in presence_state, and untrack leaves', () => {
    const state = new PresenceState()
    state.track(a, 'ana', { device: 'phone' })
    state.track(b, 'ana', { device: 'tablet' })
    expect(state.state().ana!.metas.map((m) => m.device)).toEqual(['phone', 'tablet'])
    expect(state.untrack(a)!.leaves.ana!.metas[0]).toMatchObject({ device: 'phone' })
    expect(state.untrack(a)).toBeNull()
  })
})

describe('limits', () => {
  it('allows events up to the per-second limit averaged over 5 s, then refuses until the window moves on', () => {
    const window = new RateWindow(2)
    const t = 1_000_000
    const allowed = Array.from({ length: 12 }, () => window.tryTake(t)).filter(Boolean).length
    expect(allowed).toBe(10)
    expect(window.tryTake(t + 4_999)).toBe(false)
    expect(window.tryTake(t + 5_000)).toBe(true)
    expect(window.idle(t + 5_000)).toBe(false)
    expect(window.idle(t + 10_000)).toBe(true)
  })

  it('takes several events at once only if all of them fit, and counts nothing otherwise', () => {
    const window = new RateWindow(2)
    const t = 1_500_000
    expect(window.tryTake(t, 8)).toBe(true)
    expect(window.tryTake(t, 3)).toBe(false)
    expect(window.tryTake(t, 2)).toBe(true)
  })

  it('keeps one window per key and forgets a key a window after its last event', () => {
    const windows = new KeyedRateWindows(1) // 5 per window
    const t = 3_000_000
    for (let n = 0; n < 50; n++) windows.get(`address:${n}`, t).count(t)
    expect(windows.get('address:1', t).tryTake(t, 4)).toBe(true)
    expect(windows.get('address:1', t).tryTake(t)).toBe(false)
    expect(windows.get('address:2', t).tryTake(t)).toBe(true)
    expect(windows.size).toBe(50)
    windows.get('address:late', t + 10_000)
    expect(windows.size).toBe(1)
  })

  it('charges a topic to the restaurant it names, whatever the scope, and nothing else to any restaurant', () => {
    const bistro = '00000000-0000-4000-8000-00000000b001'
    for (
      const topic of [
        `kds:${bistro}:x`,
        `expo:${bistro}`,
        `server:${bistro}:y`,
        `floor:${bistro}`,
        `admin:${bistro}`,
        `crew:${bistro}`,
      ]
    ) {
      expect(restaurantOf(topic)).toBe(`restaurant:${bistro}`)
    }
    expect(restaurantOf(`crew:${bistro.toUpperCase()}`)).toBe(`restaurant:${bistro}`)
    for (const topic of ['room-1', `lobby:${bistro}`, `crew:${bistro}x`, 'crew:not-a-uuid', '']) {
      expect(restaurantOf(topic)).toBeNull()
    }
    // A public topic may name any restaurant: it spends the shared pool, never the restaurant's.
    expect(broadcastTenant(`crew:${bistro}`, false)).toBe('public')
    expect(broadcastTenant(`crew:${bistro}`, true)).toBe(`restaurant:${bistro}`)
  })

  it('gives a caller half and a socket a fifth of a pool unless they are set, so raising the pools raises them', () => {
    const pool = DEFAULT_OPTIONS.maxJoinsPerSecond
    expect(optionsFromEnv({})).toMatchObject({
      maxJoinsPerSecond: pool,
      maxJoinsPerCaller: pool / 2,
      maxJoinsPerSocket: pool / 5,
    })
    const raised = optionsFromEnv({
      PLATER_REALTIME_MAX_JOINS_PER_SECOND: '1000',
      PLATER_REALTIME_MAX_JOINS_PER_SOCKET: '3',
    })
    expect(raised).toMatchObject({ maxJoinsPerSecond: 1000, maxJoinsPerCaller: 500, maxJoinsPerSocket: 3 })
    expect(optionsFromEnv({ PLATER_REALTIME_MAX_EVENTS_PER_SECOND: '500' })).toMatchObject({
      maxEventsPerSocket: 100,
    })
  })

  it('refuses settings under which one accepted message could get its subscriber dropped', () => {
    const { maxPayloadBytes, slowConsumerBytes } = DEFAULT_OPTIONS
    expect(slowConsumerBytes).toBeGreaterThan(maxPayloadBytes)
    expect(() => optionsFromEnv({ PLATER_REALTIME_MAX_PAYLOAD_BYTES: String(slowConsumerBytes) })).toThrow(
      /PLATER_REALTIME_SLOW_CONSUMER_BYTES/,
    )
    expect(() => optionsFromEnv({ PLATER_REALTIME_MAX_BUFFERED_BYTES: String(slowConsumerBytes + 1) }))
      .toThrow(
        /PLATER_REALTIME_MAX_BUFFERED_BYTES/,
      )
  })

  it("counts open sockets per cap and key, takes all of a socket's places or none, and gives them back", () => {
    const counts = new ConnectionCounts({
      maxConnectionsPerAddress: 2,
      maxConnectionsPerKey: 3,
      maxConnectionsPerUser: 1,
    })
    const socket = (address: string, user: string) => [
      { cap: 'address' as const, key: address },
      { cap: 'user' as const, key: user },
    ]
    expect(counts.take(socket('10.0.0.1', 'ana'))).toBeNull()
    expect(counts.take(socket('10.0.0.1', 'ana'))).toBe('user')
    expect(counts.take(socket('10.0.0.1', 'ben'))).toBeNull()
    expect(counts.take(socket('10.0.0.1', 'eli'))).toBe('address')
    // The refused sockets took nothing: eli still has a place from another address.
    expect(counts.take(socket('10.0.0.2', 'eli'))).toBeNull()
    counts.release(socket('10.0.0.1', 'ana'))
    counts.release(socket('10.0.0.1', 'ben'))
    counts.release(socket('10.0.0.2', 'eli'))
    expect(counts.size).toBe(0)
  })

  it('warns when the open-files limit is low for the caps or below its hard limit, which only the shell can raise', () => {
    const caps = { maxConnectionsPerKey: 5000 }
    expect(descriptorWarning({ soft: 20_000, hard: 20_000 }, caps)).toBeNull()
    expect(descriptorWarning(null, caps)).toBeNull()
    expect(descriptorWarning({ soft: 1024, hard: 1_048_576 }, caps)).toMatch(/ulimit -n 1048576/)
    expect(descriptorWarning({ soft: 20_000, hard: 1_048_576 }, caps)).toMatch(/below the hard limit/)
  })

  it('ends a wait at its deadline on the clock, and lets an answer before it through', async () => {
    const clock = new ManualClock()
    const never = withDeadline({ clock, ms: 3000 }, new Promise<never>(() => {}))
    clock.advance(2999)
    const answered = await withDeadline({ clock, ms: 3000 }, Promise.resolve('ok'))
    expect(answered).toBe('ok')
    clock.advance(1)
    await expect(never).rejects.toBeInstanceOf(DeadlineExceeded)
  })

  it('counts presence calls in a window that opens at the first call', () => {
    const limiter = new PresenceCallLimiter()
    const calls = [0, 1, 2, 3, 4, 5].map((i) => limiter.tryCall(5, 30_000, i))
    expect(calls).toEqual([true, true, true, true, true, false])
    expect(limiter.tryCall(5, 30_000, 30_001)).toBe(true)
  })
})

describe('JSON depth', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

  it('counts arrays and objects, not brackets inside strings or after escaped quotes', () => {
    expect(jsonDepthExceeds(nested(64), 64)).toBe(false)
    expect(jsonDepthExceeds(nested(65), 64)).toBe(true)
    expect(jsonDepthExceeds('{"a":{"b":[1,{"c":2}]}}', 3)).toBe(true)
    expect(jsonDepthExceeds('{"a":{"b":[1,{"c":2}]}}', 4)).toBe(false)
    expect(jsonDepthExceeds(`["${'[{'.repeat(100)}"]`, 1)).toBe(false)
    expect(jsonDepthExceeds(`["\\\\",${nested(2)}]`, 2)).toBe(true)
    expect(jsonDepthExceeds(`["\\"[[[[",[]]`, 2)).toBe(false)
  })

  it('makes parseJson refuse a frame nested 100 000 levels deep as a protocol error', () => {
    expect(() => parseJson(nested(100_000))).toThrow('JSON nested deeper than 64 levels')
    expect(parseJson(nested(64))).toBeInstanceOf(Array)
  })
})

describe('throttled warning', () => {
  it('logs once per interval, then says how many it left out', () => {
    const logged: Record<string, unknown>[] = []
    const log = {
      warn: (_m: string, fields: Record<string, unknown>) => logged.push(fields),
    } as unknown as Logger
    const clock = new ManualClock()
    const warning = new ThrottledWarning(log, 'dropped malformed frame', 10_000, clock)
    for (let i = 0; i < 1000; i++) warning.warn({ i })
    expect(logged).toEqual([{ i: 0 }])
    clock.advance(9_999)
    warning.warn({ i: 1000 })
    clock.advance(1)
    warning.warn({ i: 1001 })
    expect(logged).toEqual([{ i: 0 }, { i: 1001, notLoggedSincePrevious: 1000 }])
  })
})

describe('pgoutput', () => {
  const relation: Relation = {
    id: 16385,
    schema: 'realtime',
    name: 'messages_2026_11_27',
    columns: [
      'topic',
      'extension',
      'payload',
      'event',
      'private',
      'updated_at',
      'inserted_at',
      'id',
      'binary_payload',
    ].map((name) => ({ name, typeOid: 25 })),
  }

  function relationMessage(r: Relation): Buffer {
    const parts = [
      Buffer.from([0x52]),
      u32(r.id),
      cstr(r.schema),
      cstr(r.name),
      Buffer.from([0x64]),
      u16(r.columns.length),
    ]
    for (const column of r.columns) {
      parts.push(Buffer.from([0]), cstr(column.name), u32(column.typeOid), u32(0xffffffff))
    }
    return Buffer.concat(parts)
  }

  function insertMessage(values: (string | null)[]): Buffer {
    const parts = [Buffer.from([0x49]), u32(relation.id), Buffer.from('N'), u16(values.length)]
    for (const value of values) {
      if (value === null) parts.push(Buffer.from('n'))
      else parts.push(Buffer.from('t'), u32(Buffer.byteLength(value)), Buffer.from(value))
    }
    return Buffer.concat(parts)
  }

  it('decodes Relation and Insert into a realtime.messages row, payload untouched', () => {
    const decodedRelation = decodePgOutput(relationMessage(relation))
    expect(decodedRelation).toEqual({ tag: 'relation', relation })
    expect(isMessagesRelation(relation)).toBe(true)
    const insert = decodePgOutput(
      insertMessage([
        'kds:r:s',
        'broadcast',
        '{"seq": 1}',
        'item',
        't',
        null,
        null,
        '0b2f6c3e-8d1a-4f57-9b21-3c4d5e6f7a8b',
        null,
      ]),
    )
    expect(insert.tag).toBe('insert')
    const row = messageFromRow(relation, insert.tag === 'insert' ? insert.values : [])
    expect(row).toEqual({
      id: '0b2f6c3e-8d1a-4f57-9b21-3c4d5e6f7a8b',
      topic: 'kds:r:s',
      event: 'item',
      private: true,
      payload: { encoding: 'json', bytes: Buffer.from('{"seq": 1}') },
    })
  })

  it('takes binary_payload (bytea hex text) over payload', () => {
    const insert = decodePgOutput(
      insertMessage(['t', 'broadcast', null, 'e', 'f', null, null, 'id-1', '\\xdeadbeef']),
    )
    const row = messageFromRow(relation, insert.tag === 'insert' ? insert.values : [])
    expect(row?.payload).toEqual({ encoding: 'binary', bytes: Buffer.from('deadbeef', 'hex') })
  })

  it('fans out a transaction cut off mid-stream once, when the resumed stream sends it again whole', () => {
    const reader = new TransactionReader()
    const insert = (id: string) =>
      decodePgOutput(insertMessage(['t', 'broadcast', `{"id":"${id}"}`, 'e', 'f', null, null, id, null]))
    const commit = (endLsn: bigint) => ({ tag: 'commit', endLsn, commitTimeMs: 0 }) as const
    const session = (...messages: Parameters<TransactionReader['read']>[0][]) => {
      reader.startSession()
      return [decodePgOutput(relationMessage(relation)), ...messages]
        .map((m) => reader.read(m, 0)?.id)
        .filter(Boolean)
    }

    // T1 arrives whole; T2 is cut after two of its three messages (Postgres restarts, the socket drops).
    expect(session(insert('a'), commit(0x100n), insert('b'), insert('c'))).toEqual(['a', 'b', 'c'])
    expect(reader.resumeLsn).toBe(0x100n)
    // The resumed stream starts after T1 and sends T2 from its start: only its third message is new. It is
    // cut again, after that one; and then T2 comes a third time, whole, followed by T3.
    expect(session(insert('b'), insert('c'), insert('d'))).toEqual(['d'])
    expect(session(insert('b'), insert('c'), insert('d'), commit(0x200n), insert('e'), commit(0x300n)))
      .toEqual(['e'])
    expect(reader.duplicatesSkipped).toBe(5)
    expect(reader.messages).toBe(5)
    expect(reader.resumeLsn).toBe(0x300n)
  })

  it('reads Commit end LSNs and keepalives, and formats LSNs like Postgres', () => {
    const commit = Buffer.concat([Buffer.from([0x43, 0]), u64(0x16b0850n), u64(0x16b0880n), u64(0n)])
    expect(decodePgOutput(commit)).toMatchObject({ tag: 'commit', endLsn: 0x16b0880n })
    const keepalive = Buffer.concat([Buffer.from([0x6b]), u64(0x100000002n), u64(0n), Buffer.from([1])])
    expect(decodeReplicationFrame(keepalive)).toEqual({
      kind: 'keepalive',
      walEnd: 0x100000002n,
      replyRequested: true,
    })
    expect(formatLsn(0x100000002n)).toBe('1/2')
  })
})

function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(n)
  return b
}
function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`)
}
