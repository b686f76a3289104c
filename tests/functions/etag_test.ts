import assert from 'node:assert/strict'
import { HttpError } from '../../functions/_shared/errors.ts'
import {
  ifNoneMatchHits,
  parseEtagList,
  parseIfMatch,
  snapshotEtag,
  versionEtag,
} from '../../functions/_shared/etag.ts'

const TOPIC = 'floor:00000000-0000-4000-8000-00000000b001'

Deno.test('snapshot and version tags are strong, quoted', () => {
  assert.equal(snapshotEtag(TOPIC, 42), `"${TOPIC}:42"`)
  assert.equal(versionEtag(3), '"3"')
})

Deno.test('If-None-Match: weak comparison, lists and *', () => {
  const etag = snapshotEtag(TOPIC, 7)
  assert.equal(ifNoneMatchHits(null, etag), false)
  assert.equal(ifNoneMatchHits(etag, etag), true)
  assert.equal(ifNoneMatchHits(`W/${etag}`, etag), true)
  assert.equal(ifNoneMatchHits(`"other", ${etag}`, etag), true)
  assert.equal(ifNoneMatchHits('*', etag), true)
  assert.equal(ifNoneMatchHits(snapshotEtag(TOPIC, 6), etag), false)
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
