// Field schemas shared by the request schemas, with the messages clients show next to the field.
import { z } from 'zod'

export const uuid = (what: string) => z.guid({ error: `${what} must be a UUID` })

export const expectedVersion = z.int({ error: 'expected_version must be an integer' })
  .min(1, { error: 'expected_version must be at least 1' })

// Postgres text cannot hold NUL: refused here, naming the field, rather than failing later in the database.
const hasNoNul = (text: string) => !text.includes('\0')
const nulError = (what: string) => ({ error: `${what} must not contain NUL characters` })

/** Free text a person typed (notes, modifiers): at most `max` characters, no NUL. */
export const freeText = (what: string, max: number) =>
  z.string({ error: `${what} must be a string` })
    .max(max, { error: `${what} must be at most ${max} characters` })
    .refine(hasNoNul, nulError(what))

export const reason = z.string({ error: 'reason must be a string' })
  .trim().min(1, { error: 'reason must not be empty' }).max(200, {
    error: 'reason must be at most 200 characters',
  })
  .refine(hasNoNul, nulError('reason'))

/** An integer between `min` and `max`, with one message for both bounds. */
export const intBetween = (what: string, min: number, max: number) =>
  z.int({ error: `${what} must be an integer` })
    .min(min, { error: `${what} must be between ${min} and ${max}` })
    .max(max, { error: `${what} must be between ${min} and ${max}` })
