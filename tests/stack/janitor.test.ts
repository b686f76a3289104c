import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applySupabaseCompat } from '../../stack/bootstrap/apply.ts'
import { maintainMessagePartitions, runRetention } from '../../stack/janitor.ts'
import { inRolledBackTransaction } from './helpers/rollback.ts'
import { testStack } from '../helpers/stack-env.ts'

// Partition maintenance runs DDL on realtime.messages (it drops "old" partitions, which for a clock moved ten days
// ahead are today's live ones): on the shared database, even in a transaction that is rolled back, that would hold
// locks the other suites' inserts wait on. So it runs in a database of its own, bootstrapped like the stack's.
const shared = postgres(testStack().dbUrl, { max: 1, onnotice: () => {} })
const scratchName = `plater_janitor_${randomUUID().slice(0, 8)}`
const scratchUrl = (() => {
  const url = new URL(testStack().dbUrl)
  url.pathname = `/${scratchName}`
  return url.toString()
})()
let scratch: postgres.Sql

beforeAll(async () => {
  await shared.unsafe(`create database ${scratchName}`)
  await applySupabaseCompat(scratchUrl)
  scratch = postgres(scratchUrl, { max: 1, onnotice: () => {} })
})
afterAll(async () => {
  await scratch?.end()
  await shared.unsafe(`drop database if exists ${scratchName} with (force)`)
  await shared.end()
})

const DAY = 24 * 3600 * 1000
const partition = (time: number) =>
  `messages_${new Date(time).toISOString().slice(0, 10).replaceAll('-', '_')}`
const window = (time: number) => [-1, 0, 1, 2, 3].map((offset) => partition(time + offset * DAY))

describe('the janitor', () => {
  it('creates the partitions from yesterday to today+3, then changes nothing while they are in place', async () => {
    const now = Date.now()
    expect((await maintainMessagePartitions(scratch, now)).created).toEqual(window(now))
    expect(await maintainMessagePartitions(scratch, now)).toEqual({ created: [], dropped: [] })
  })

  it('creates the partitions a later day needs and drops those older than 72 hours', async () => {
    const now = Date.now()
    await maintainMessagePartitions(scratch, now)
    const later = now + 10 * DAY
    const changes = await maintainMessagePartitions(scratch, later)
    expect(changes.created).toEqual(window(later))
    // everything made for today's window is more than 72 hours before `later`
    expect(changes.dropped).toEqual(expect.arrayContaining(window(now)))
    expect(changes.dropped).not.toEqual(expect.arrayContaining([partition(later - DAY)]))
  })

  it('runs the retention of the topic log and of idempotency keys', async () => {
    const ran = await inRolledBackTransaction(shared, (tx) => runRetention(tx))
    expect(ran).toEqual(['prune_idempotency_keys', 'prune_topic_log'])
  })
})
