import assert from 'node:assert/strict'
import { HttpError } from '../../functions/_shared/errors.ts'
import {
  contentEtag,
  ifNoneMatchHits,
  parseEtagList,
  parseIfMatch,
  snapshotEtag,
  versionEtag,
} from '../../functions/_shared/etag.ts'

const TOPIC = 'floor:00000000-0000-4000-8000-00000000b001'
const EPOCH = '11111111-1111-4111-8111-111111111111'
const OTHER_EPOCH = '22222222-2222-4222-8222-222222222222'

Deno.test('snapshot and version tags are strong, quoted', () => {
  assert.equal(snapshotEtag(TOPIC, EPOCH, 42), `"${TOPIC}:42@${EPOCH}"`)
  assert.equal(versionEtag(3), '"3"')
})

Deno.test('a snapshot tag of another epoch never matches, even at the same seq', () => {
  assert.equal(ifNoneMatchHits(snapshotEtag(TOPIC, EPOCH, 7), snapshotEtag(TOPIC, OTHER_EPOCH, 7)), false)
})

Deno.test('content tags are strong, stable and differ with the content', async () => {
  const tag = await contentEtag('{"a":1}')
  assert.match(tag, /^"[A-Za-z0-9_-]{22}"$/)
  assert.equal(await contentEtag('{"a":1}'), tag)
  assert.notEqual(await contentEtag('{"a":2}'), tag)
})

Deno.test('If-None-Match: weak comparison, lists and *', () => {
  const etag = snapshotEtag(TOPIC, EPOCH, 7)
  assert.equal(ifNoneMatchHits(null, etag), false)
  assert.equal(ifNoneMatchHits(etag, etag), true)
  assert.equal(ifNoneMatchHits(`W/${etag}`, etag), true)
  assert.equal(ifNoneMatchHits(`"other", ${etag}`, etag), true)
  assert.equal(ifNoneMatchHits('*', etag), true)
  assert.equal(ifNoneMatchHits(snapshotEtag(TOPIC, EPOCH, 6), etag), false)
  assert.equal(ifNoneMatchHits('garbage', etag), false)
})

Deno.test('entity-tag lists parse, keeping W/', () => {
  assert.deepEqual(parseEtagList('"a", W/"b" ,"c"'), ['"a"', 'W/"b"', '"c"'])
  assert.deepEqual(parseEtagList(''), [])
})

Deno.test('If-Match carries one version, or *', () => {
  assert.equal(parseIfMatch(null), undefined)
  assert.equal(parseIfMatch(''), undefined)
  assert.equal(parseIfMatch('*'), 'any')
  assert.equal(parseIfMatch('"3"'), 3)
  assert.equal(parseIfMatch(' "12" '), 12)
  for (const bad of ['W/"3"', '"1", "2"', '3', '"x"', '"0"', '"99999999999"']) {
    assert.throws(
      () => parseIfMatch(bad),
      (error: unknown) => error instanceof HttpError && error.status === 400,
      bad,
    )
  }
})
