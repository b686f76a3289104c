// The payload contract, three ways: docs/topics.md (what integrators read), the SQL payload builders (what the
// database really publishes, read from the topic log and the snapshots of a real change through the stack) and
// contract/payloads.ts (the field lists everything else is built or generated from). Any two disagreeing on a
// key fails here.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Sql } from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_ROW_FIELDS,
  CATCH_UP_FIELDS,
  ENVELOPE_FIELDS,
  PAYLOAD_FIELDS,
  SNAPSHOT_DATA_FIELDS,
  SNAPSHOT_FIELDS,
} from '../../contract/payloads.ts'
import type { TopicKind } from '../../contract/topics.ts'
import { SEED_MENU } from '../helpers/seed.ts'
import { BISTRO, EMAILS, invoke, ownerDb, ownTable, signedIn, STATIONS } from '../e2e/functions-helpers.ts'

type Keys = Record<string, string[]> // "kind event" → sorted keys
const sorted = (keys: Iterable<string>) => [...new Set(keys)].sort()
const KINDS: TopicKind[] = ['kds', 'expo', 'server', 'floor', 'admin']

// ---- docs/topics.md ----------------------------------------------------------------------------------------
const topicsMd = readFileSync(join(import.meta.dirname, '../../docs/topics.md'), 'utf8')

function section(title: string): string {
  const start = topicsMd.indexOf(`## ${title}`)
  if (start < 0) throw new Error(`docs/topics.md has no "## ${title}" section`)
  const end = topicsMd.indexOf('\n## ', start + 1)
  return topicsMd.slice(start, end < 0 ? undefined : end)
}

/** `| \`expo\` / \`server\` order | \`table_id, …\` |` rows of the "Audience fields" table; `any` = every event. */
function documentedPayloads(): Keys {
  const out: Keys = {}
  const envelope = documentedEnvelope()
  for (const line of section('Audience fields').split('\n')) {
    const row = /^\|\s*((?:`\w+`(?:\s*\/\s*)?)+)\s+(item|order|table|any)\s*\|\s*`([^`]+)`/.exec(line)
    if (!row) continue
    const kinds = [...row[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!)
    const fields = row[3]!.split(',').map((f) => f.trim())
    const events = row[2] === 'any' ? ['order', 'item', 'table'] : [row[2]!]
    for (const kind of kinds) {
      for (const event of events) {
        out[`${kind} ${event}`] = sorted([...envelope.filter((k) => k !== 'seq' && k !== 'ts'), ...fields])
      }
    }
  }
  return out
}

/** The keys of the envelope's jsonc example (`"seq": 42, // …`). */
function documentedEnvelope(): string[] {
  const block = /```jsonc\n([\s\S]*?)```/.exec(section('Envelope'))?.[1] ?? ''
  return [...block.matchAll(/^\s*"(\w+)":/gm)].map((m) => m[1]!)
}

/** "(kds: `items`; expo: `orders, items`; …)" in the snapshot paragraph. */
function documentedSnapshotData(): Record<string, string[]> {
  const text = section('Snapshot and catch-up')
  const out: Record<string, string[]> = {}
  for (const kind of KINDS) {
    const match = new RegExp(`\\b${kind}: \`([^\`]+)\``).exec(text)
    if (match) out[kind] = sorted(match[1]!.split(',').map((f) => f.trim()))
  }
  return out
}

// ---- contract/payloads.ts ----------------------------------------------------------------------------------
function typedPayloads(): Keys {
  const out: Keys = {}
  for (const kind of KINDS) {
    for (const [event, keys] of Object.entries(PAYLOAD_FIELDS[kind])) {
      out[`${kind} ${event}`] = sorted(keys as string[])
    }
  }
  return out
}

// ---- the database, through the stack -----------------------------------------------------------------------
let sql: Sql
const published: Keys = {}
const envelopes: string[][] = []
const snapshotKeys: Record<string, { snapshot: string[]; data: string[]; rows: Keys }> = {}
const adminRows: Keys = {}
let catchUpKeys: string[] = []
/** Who the placed order is for and who took it, as the kds item and the expo order carry it. */
const people: Record<string, unknown> = {}
let serverName = ''

beforeAll(async () => {
  sql = ownerDb()
  const [manager, server] = await Promise.all([signedIn(EMAILS.manager), signedIn(EMAILS.ana)])
  // one change of every kind: a table seated (floor, server, admin), an order placed with a grill item (kds,
  // expo, server, admin: order and item)
  const table = await ownTable(sql)
  expect((await invoke(server, `tables/${table.id}/seat`, { body: { party_size: 2 } })).status).toBe(200)
  const placed = await invoke(server, 'orders', {
    body: { table_id: table.id, items: [{ menu_item_id: SEED_MENU.burger, qty: 1 }] },
  })
  expect(placed.status).toBe(201)
  const ids = [table.id, placed.body.order.id, ...placed.body.items.map((i: { id: string }) => i.id)]

  const rows = await sql<{ topic: string; event: string; payload: Record<string, unknown> }[]>`
    select topic, event, payload from plater_private.topic_log where payload ->> 'id' = any(${ids}::text[])`
  for (const { topic, event, payload } of rows) {
    const kind = topic.split(':')[0]!
    const { seq: _seq, ts: _ts, ...body } = payload
    published[`${kind} ${event}`] = sorted(Object.keys(body))
    envelopes.push(Object.keys(payload))
    if (kind === 'admin') adminRows[event] = sorted(Object.keys(body.row as object))
    if ((kind === 'kds' && event === 'item') || (kind === 'expo' && event === 'order')) {
      people[`${kind} ${event}`] = { server_name: body.server_name, guests: body.guests }
    }
  }
  const [ana] = await sql<
    { display_name: string }[]
  >`select display_name from public.staff where user_id = ${server.userId}`
  serverName = ana!.display_name

  const topics: Record<TopicKind, string> = {
    kds: `kds:${BISTRO}:${STATIONS.grill}`,
    expo: `expo:${BISTRO}`,
    server: `server:${BISTRO}:${server.userId}`,
    floor: `floor:${BISTRO}`,
    admin: `admin:${BISTRO}`,
  }
  for (const kind of KINDS) {
    const { body } = await invoke(manager, `snapshot?topic=${topics[kind]}`, { method: 'GET' })
    const entries: Keys = {}
    for (const list of Object.values(body.data as Record<string, { type: string; id: string }[]>)) {
      for (const entry of list.filter((e) => ids.includes(e.id))) {
        entries[entry.type] = sorted(Object.keys(entry))
      }
    }
    snapshotKeys[kind] = {
      snapshot: sorted(Object.keys(body)),
      data: sorted(Object.keys(body.data)),
      rows: entries,
    }
  }
  const caught = await invoke(server, `catch-up?topic=${topics.floor}&after=0&limit=1`, { method: 'GET' })
  catchUpKeys = sorted(Object.keys(caught.body))
})

afterAll(async () => {
  await sql?.end()
})

describe('payload contract: docs/topics.md ⇄ SQL payload builders ⇄ contract/payloads.ts', () => {
  it('the docs table and the TS types list the same payloads and keys', () => {
    expect(documentedPayloads()).toEqual(typedPayloads())
  })

  it('the database publishes exactly the typed payloads, for every topic kind and event', () => {
    expect(published).toEqual(typedPayloads())
  })

  it('every published message has the documented and typed envelope', () => {
    const envelope = documentedEnvelope()
    expect(sorted(envelope)).toEqual(sorted([...ENVELOPE_FIELDS, 'type', 'id', 'version']))
    for (const keys of envelopes) expect(keys).toEqual(expect.arrayContaining(envelope))
  })

  it('snapshot rows have the shapes of the events, and data the documented and typed keys', () => {
    const docs = documentedSnapshotData()
    for (const kind of KINDS) {
      expect(snapshotKeys[kind]!.snapshot, kind).toEqual(sorted(SNAPSHOT_FIELDS))
      expect(snapshotKeys[kind]!.data, kind).toEqual(sorted(SNAPSHOT_DATA_FIELDS[kind]))
      expect(docs[kind], kind).toEqual(sorted(SNAPSHOT_DATA_FIELDS[kind]))
      expect(sorted(Object.keys(snapshotKeys[kind]!.rows)), `${kind}: every event's shape is in the snapshot`)
        .toEqual(sorted(Object.keys(PAYLOAD_FIELDS[kind])))
      for (const [event, keys] of Object.entries(snapshotKeys[kind]!.rows)) {
        expect(keys, `${kind} ${event} in the snapshot`).toEqual(typedPayloads()[`${kind} ${event}`])
      }
    }
  })

  it("the manager's rows are the whole database rows the TS types name", () => {
    expect(adminRows).toEqual(
      Object.fromEntries(Object.entries(ADMIN_ROW_FIELDS).map(([k, v]) => [k, sorted(v)])),
    )
  })

  it("tickets and expo cards name the order's server and the party seated at its table", () => {
    const expected = { server_name: serverName, guests: 2 }
    expect(people).toEqual({ 'kds item': expected, 'expo order': expected })
  })

  it('catch-up answers the typed keys', () => {
    expect(catchUpKeys).toEqual(sorted(CATCH_UP_FIELDS))
  })
})
