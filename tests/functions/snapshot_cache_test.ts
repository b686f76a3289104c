import assert from 'node:assert/strict'
import { type CachedSnapshot, SnapshotCache } from '../../functions/_shared/snapshot-cache.ts'

const entry = (topic: string, seq: number): CachedSnapshot => ({
  topic,
  seq,
  body: JSON.stringify({ topic, seq }),
  etag: `"${topic}:${seq}"`,
  builtAt: Date.now(),
})

Deno.test('an entry is served only at exactly its seq', () => {
  const cache = new SnapshotCache()
  cache.put(entry('floor:a', 5))
  assert.equal(cache.at('floor:a', 5)?.seq, 5)
  assert.equal(cache.at('floor:a', 6), undefined)
  assert.equal(cache.at('floor:a', 4), undefined)
  assert.equal(cache.at('floor:b', 5), undefined)
})

Deno.test('an older build never replaces a newer entry', () => {
  const cache = new SnapshotCache()
  cache.put(entry('floor:a', 7))
  assert.equal(cache.put(entry('floor:a', 6)).seq, 7)
  assert.equal(cache.peek('floor:a')?.seq, 7)
})

Deno.test('least recently used entries go first', () => {
  const cache = new SnapshotCache(2)
  cache.put(entry('a', 1))
  cache.put(entry('b', 1))
  cache.at('a', 1)
  cache.put(entry('c', 1))
  assert.equal(cache.size, 2)
  assert.equal(cache.peek('b'), undefined)
  assert.ok(cache.peek('a') && cache.peek('c'))
})

Deno.test('concurrent misses share one build; an older shared result is not enough', async () => {
  const cache = new SnapshotCache()
  let builds = 0
  const build = (seq: number) => async () => {
    builds += 1
    await new Promise((resolve) => setTimeout(resolve, 10))
    return entry('t', seq)
  }
  const [a, b] = await Promise.all([cache.build('t', 3, build(3)), cache.build('t', 3, build(3))])
  assert.equal(builds, 1)
  assert.equal(a, b)
  const first = cache.build('t', 4, build(4))
  const later = cache.build('t', 5, build(5))
  assert.equal((await first).seq, 4)
  assert.equal((await later).seq, 5)
  assert.equal(builds, 3)
})

Deno.test('a failed shared build does not fail the other callers', async () => {
  const cache = new SnapshotCache()
  const failing = cache.build('t', 1, () => Promise.reject(new Error('forbidden for that caller')))
  const other = cache.build('t', 1, () => Promise.resolve(entry('t', 1)))
  await assert.rejects(failing)
  assert.equal((await other).seq, 1)
})
