import assert from 'node:assert/strict'
import { type CachedSnapshot, SnapshotCache } from '../../functions/_shared/snapshot-cache.ts'

const E1 = '11111111-1111-4111-8111-111111111111'
const E2 = '22222222-2222-4222-8222-222222222222'

const entry = (topic: string, seq: number, epoch = E1): CachedSnapshot => ({
  topic,
  epoch,
  seq,
  body: JSON.stringify({ topic, epoch, seq }),
  etag: `"${topic}:${seq}@${epoch}"`,
  builtAt: Date.now(),
})

Deno.test('an entry is served only at exactly its seq', () => {
  const cache = new SnapshotCache()
  cache.put(entry('floor:a', 5))
  assert.equal(cache.at('floor:a', E1, 5)?.seq, 5)
  assert.equal(cache.at('floor:a', E1, 6), undefined)
  assert.equal(cache.at('floor:a', E1, 4), undefined)
  assert.equal(cache.at('floor:b', E1, 5), undefined)
})

Deno.test('an entry of another epoch is never served, even at the same seq (the database was reset)', () => {
  const cache = new SnapshotCache()
  cache.put(entry('floor:a', 5, E1))
  assert.equal(cache.at('floor:a', E2, 5), undefined)
})

Deno.test('an older build never replaces a newer entry', () => {
  const cache = new SnapshotCache()
  cache.put(entry('floor:a', 7))
  assert.equal(cache.put(entry('floor:a', 6)).seq, 7)
  assert.equal(cache.peek('floor:a')?.seq, 7)
})

Deno.test('a build of a new epoch replaces an entry with a higher seq of the old one', () => {
  const cache = new SnapshotCache()
  cache.put(entry('floor:a', 9, E1))
  assert.equal(cache.put(entry('floor:a', 2, E2)).epoch, E2)
  assert.equal(cache.at('floor:a', E2, 2)?.seq, 2)
  assert.equal(cache.at('floor:a', E1, 9), undefined)
})

Deno.test('least recently used entries go first', () => {
  const cache = new SnapshotCache(2)
  cache.put(entry('a', 1))
  cache.put(entry('b', 1))
  cache.at('a', E1, 1)
  cache.put(entry('c', 1))
  assert.equal(cache.size, 2)
  assert.equal(cache.peek('b'), undefined)
  assert.ok(cache.peek('a') && cache.peek('c'))
})

Deno.test('concurrent misses share one build; an older shared result is not enough', async () => {
  const cache = new SnapshotCache()
  let builds = 0
  const build = (seq: number, epoch = E1) => async () => {
    builds += 1
    await new Promise((resolve) => setTimeout(resolve, 10))
    return entry('t', seq, epoch)
  }
  const [a, b] = await Promise.all([cache.build('t', E1, 3, build(3)), cache.build('t', E1, 3, build(3))])
  assert.equal(builds, 1)
  assert.equal(a, b)
  const first = cache.build('t', E1, 4, build(4))
  const later = cache.build('t', E1, 5, build(5))
  assert.equal((await first).seq, 4)
  assert.equal((await later).seq, 5)
  assert.equal(builds, 3)
})

Deno.test('a shared build of another epoch is no answer, whatever its seq', async () => {
  const cache = new SnapshotCache()
  let builds = 0
  const build = (seq: number, epoch: string) => async () => {
    builds += 1
    await new Promise((resolve) => setTimeout(resolve, 10))
    return entry('t', seq, epoch)
  }
  const old = cache.build('t', E1, 9, build(9, E1))
  const fresh = cache.build('t', E2, 1, build(1, E2))
  assert.equal((await old).epoch, E1)
  assert.equal((await fresh).epoch, E2)
  assert.equal(builds, 2)
})

Deno.test('a failed shared build does not fail the other callers', async () => {
  const cache = new SnapshotCache()
  const failing = cache.build('t', E1, 1, () => Promise.reject(new Error('forbidden for that caller')))
  const other = cache.build('t', E1, 1, () => Promise.resolve(entry('t', 1)))
  await assert.rejects(failing)
  assert.equal((await other).seq, 1)
})
