// Input validation with zod: a failure answers 400 `invalid_request` naming every offending field
// (`details.issues[] = {path, message}`), the first one also in `message`.
import { z } from './deps.ts'
import { HttpError } from './errors.ts'

export interface FieldIssue {
  path: string
  message: string
}

const pathOf = (path: PropertyKey[]) => path.map(String).join('.') || '(body)'

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    // an unknown field is reported at that field, so a client can show it next to what it sent
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
        path: pathOf([...issue.path, key]),
        message: `${key} is not a known field`,
      }))
      : [{ path: pathOf(issue.path), message: issue.message }]
  )
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = issuesOf(result.error)
  const first = issues[0]!
  throw new HttpError(400, 'invalid_request', `${where} ${first.path}: ${first.message}`, { issues })
}

// Shared field schemas, with the messages clients show next to the field.
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
