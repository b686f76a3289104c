import { describe, expect, it } from 'vitest'
import {
  nonNegativeNumber,
  oneOf,
  port,
  positiveInteger,
  readEnv,
  requireEnv,
  text,
} from '../../../shared/env.ts'

// The one env reader: unset or empty takes the default; a value the setting cannot take is refused before anything
// starts, naming the variable, what it allows and what it got.

describe('readEnv', () => {
  it('takes the default when the variable is unset or empty, and the parsed value when set', () => {
    expect(readEnv({}, 'PLATER_API_PORT', port, 54321)).toBe(54321)
    expect(readEnv({ PLATER_API_PORT: '' }, 'PLATER_API_PORT', port, 54321)).toBe(54321)
    expect(readEnv({ PLATER_API_PORT: '6001' }, 'PLATER_API_PORT', port, 54321)).toBe(6001)
    expect(readEnv({}, 'DATABASE_URL', text)).toBeUndefined()
  })

  it('refuses a value its kind does not allow, naming the variable, the rule and the value', () => {
    const cases = [
      [port, '70000', 'X must be a port number (1-65535), got "70000"'],
      [port, '80.5', 'X must be a port number (1-65535), got "80.5"'],
      [positiveInteger, '0', 'X must be a positive integer, got "0"'],
      [nonNegativeNumber, '-1', 'X must be a non-negative number, got "-1"'],
      [nonNegativeNumber, 'lots', 'X must be a non-negative number, got "lots"'],
      [oneOf(['debug', 'info']), 'loud', 'X must be one of debug, info, got "loud"'],
    ] as const
    for (const [kind, value, message] of cases) {
      expect(() => readEnv({ X: value }, 'X', kind as typeof port, 1)).toThrow(message)
    }
    expect(readEnv({ X: '0.5' }, 'X', nonNegativeNumber, 1)).toBe(0.5)
  })

  it('reads the first of several names that is set, and names that one when refusing it', () => {
    const names = ['PLATER_REALTIME_COALESCE_MS', 'NEXT_PUBLIC_REALTIME_DEBOUNCE_MS']
    expect(readEnv({ NEXT_PUBLIC_REALTIME_DEBOUNCE_MS: '20' }, names, nonNegativeNumber, 50)).toBe(20)
    expect(
      readEnv(
        { PLATER_REALTIME_COALESCE_MS: '10', NEXT_PUBLIC_REALTIME_DEBOUNCE_MS: '20' },
        names,
        nonNegativeNumber,
        50,
      ),
    ).toBe(10)
    expect(() => readEnv({ NEXT_PUBLIC_REALTIME_DEBOUNCE_MS: 'soon' }, names, nonNegativeNumber, 50)).toThrow(
      /^NEXT_PUBLIC_REALTIME_DEBOUNCE_MS must/,
    )
  })

  it('requireEnv refuses an unset variable by name', () => {
    expect(() => requireEnv({ SUPABASE_DB_URL: '' }, 'SUPABASE_DB_URL', text)).toThrow(
      'SUPABASE_DB_URL is not set; it takes any text',
    )
    expect(requireEnv({ SUPABASE_DB_URL: 'postgres://x' }, 'SUPABASE_DB_URL', text)).toBe('postgres://x')
  })
})
