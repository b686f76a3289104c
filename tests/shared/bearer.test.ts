import { describe, expect, it } from 'vitest'
import { bearerToken } from '../../shared/http/bearer.ts'

describe('the bearer parser', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['Bearer sb_publishable_x', 'sb_publishable_x'],
  ])('reads %j as the token %j', (header, token) => {
    expect(bearerToken(header)).toBe(token)
  })

  it.each([
    undefined,
    null,
    '',
    'Bearer',
    'Bearer ',
    'Basic Zm9vOmJhcg==',
    'Bearer a b',
    'Bearerabc',
    'x Bearer abc',
  ])(
    'finds no bearer token in %j',
    (header) => {
      expect(bearerToken(header)).toBeUndefined()
    },
  )
})
